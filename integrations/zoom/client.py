"""The thin HTTP layer: one ``requests.Session`` per process, a bearer token on every call, typed errors.

The chat POST, the prompt worker's hot path, goes straight to urllib3 (:meth:`ZoomTransport.post_json`, same
contract); every other call goes through the session.

:class:`ZoomTransport` sends a request to Zoom and returns the response, or raises a typed error
(``exceptions``) for timeouts, connection errors and unexpected statuses. It asks the shared
:class:`~integrations.zoom.auth.TokenSource` for the token, and after a 401 invalidates it and tries once
more with a fresh one.

:class:`MeetingsEndpoint` is zoomus's ``MeetingComponentV2`` (it knows Zoom's paths and argument shapes) with
its HTTP calls routed through the transport. That routing fixes zoomus's known defects for us:

- zoomus calls the module-level ``requests`` (a new TCP connection per call) and drops its ``timeout`` setting
  on the way to the components: here every call goes through our session with our timeout;
- zoomus fetches a token inside ``ZoomClient()`` with no timeout and sends ``Bearer None`` when that fails:
  we never build a ``ZoomClient``, the token comes from the token source;
- nothing in zoomus raises on 4xx/5xx: callers here state the status they expect (:meth:`ZoomTransport.expect`);
- zoomus formats any datetime with a literal ``Z``: callers pass UTC datetimes only (``meetings.py``);
- zoomus's ``update`` cannot address one occurrence (it puts ``occurrence_id`` in the body, where Zoom ignores it
  and changes the whole series): occurrences are patched with ``occurrence_id`` as a query parameter.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping

import requests
import urllib3
from requests.adapters import HTTPAdapter
from zoomus.components.meeting import MeetingComponentV2
from zoomus.util import API_VERSION_2

from integrations.zoom.auth import TokenSource
from integrations.zoom.exceptions import ZoomUnavailable
from integrations.zoom.http import error_from_response

log = logging.getLogger(__name__)

# Connections kept open per host: a prompt job posts from up to 16 threads (PROMPT_POST_THREADS).
POOL_SIZE = 16
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class ZoomTransport:
    """Authenticated HTTP to Zoom's REST API (``api_url`` ends with ``/v2``)."""

    def __init__(self, api_url: str, tokens: TokenSource, timeout: float):
        self.api_url = api_url.rstrip("/")
        self.tokens = tokens
        self.timeout = timeout
        self._session: requests.Session | None = None
        self._pid = 0
        self._pool: urllib3.PoolManager | None = None
        self._pool_pid = 0
        self._pool_timeout = urllib3.Timeout(connect=timeout, read=timeout)  # as requests reads ``timeout``

    def session(self) -> requests.Session:
        """This process's session (a forked child gets its own: sockets are not shared across processes)."""
        if self._session is None or self._pid != os.getpid():
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=2, pool_maxsize=POOL_SIZE)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            # requests reads the proxy and CA-bundle variables from the environment on every call (a scan of
            # os.environ each time): read them once here instead.
            session.proxies = requests.utils.get_environ_proxies(self.api_url)
            session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            session.trust_env = False
            self._session, self._pid = session, os.getpid()
        return self._session

    def send(self, method: str, url: str, *, params: Mapping[str, object] | None = None,
             body: bytes | str | None = None) -> requests.Response:
        """One call (a second one after a 401, with a new token). Raises ZoomUnavailable on network trouble."""
        session = self.session()
        extra = JSON_HEADERS if body is not None else {}

        def request(authorization: dict[str, str]) -> requests.Response:
            try:
                return session.request(method, url, params=params, data=body, headers={**authorization, **extra},
                                       timeout=self.timeout)
            except requests.Timeout:
                raise ZoomUnavailable(f"Zoom did not answer {method} {_path(url)} within {self.timeout} s") from None
            except requests.RequestException as error:
                raise ZoomUnavailable(f"cannot reach Zoom for {method} {_path(url)}: {type(error).__name__}") from None

        return self._authorised(method, url, request)

    def _authorised(self, method: str, url: str, request):
        """``request(headers)`` with the bearer token; after a 401, once more with a fresh token."""
        for attempt in (1, 2):
            token = self.tokens.token()
            response = request({"Authorization": f"Bearer {token}"})
            if response.status_code != 401 or attempt == 2:
                return response
            log.info("Zoom refused the access token on %s %s; fetching a new one", method, _path(url))
            self.tokens.invalidate(token)
        return response

    def post_json(self, url: str, body: bytes) -> requests.Response | JsonAnswer:
        """``send("POST", url, body=body)`` for the chat hot path, straight on urllib3.

        Same contract as :meth:`send` (the token, a second try after a 401, ZoomUnavailable on network trouble)
        for about half its CPU: requests builds a PreparedRequest, merges settings, cookies and hooks on every
        call, the largest part of a post's CPU at rush hour. No retries and no redirects (requests would turn a
        redirected POST into a GET; Zoom does not redirect API calls). Behind a proxy it is :meth:`send`.
        """
        pool = self._lean_pool()
        if pool is None:
            return self.send("POST", url, body=body)

        def request(authorization: dict[str, str]) -> JsonAnswer:
            try:
                raw = pool.urlopen("POST", url, body=body, headers={**authorization, **JSON_HEADERS},
                                   timeout=self._pool_timeout, retries=False, redirect=False)
            except urllib3.exceptions.NewConnectionError as error:  # a TimeoutError subclass, but not a timeout
                raise ZoomUnavailable(f"cannot reach Zoom for POST {_path(url)}: {type(error).__name__}") from None
            except urllib3.exceptions.TimeoutError:
                raise ZoomUnavailable(f"Zoom did not answer POST {_path(url)} within {self.timeout} s") from None
            except (urllib3.exceptions.HTTPError, OSError) as error:
                raise ZoomUnavailable(f"cannot reach Zoom for POST {_path(url)}: {type(error).__name__}") from None
            return JsonAnswer(raw.status, raw.reason, raw.headers, raw.data)

        return self._authorised("POST", url, request)

    def _lean_pool(self) -> urllib3.PoolManager | None:
        """This process's urllib3 pool for :meth:`post_json` (per process, as the session), or None when a proxy
        applies (requests knows how to talk through one)."""
        if self._pool_pid != os.getpid():
            session = self.session()
            if session.proxies:
                self._pool = None
            else:
                verify = session.verify
                ca_bundle = verify if isinstance(verify, str) else requests.utils.DEFAULT_CA_BUNDLE_PATH
                where = {"ca_cert_dir" if os.path.isdir(ca_bundle) else "ca_certs": ca_bundle}
                self._pool = urllib3.PoolManager(num_pools=2, maxsize=POOL_SIZE,
                                                 cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
                                                 **(where if verify else {}))
            self._pool_pid = os.getpid()
        return self._pool

    def expect(self, response: requests.Response, statuses: Iterable[int]) -> requests.Response:
        """The response if its status is one of ``statuses``; otherwise its typed error, logged."""
        if response.status_code in statuses:
            return response
        error = error_from_response(response)
        log.warning("Zoom answered %s to %s %s: code=%s %s", response.status_code, response.request.method,
                    _path(response.url), error.code, error.message)
        raise error

    def call(self, method: str, path: str, statuses: Iterable[int], *, params: Mapping[str, object] | None = None,
             data: object = None) -> requests.Response:
        body = None if data is None else json.dumps(data, separators=(",", ":"))
        return self.expect(self.send(method, self.api_url + path, params=params, body=body), statuses)


class JsonAnswer:
    """An answer from :meth:`ZoomTransport.post_json`: what callers and ``http.error_from_response`` read of a
    ``requests.Response`` (``status_code``, ``reason``, case-insensitive ``headers``, ``json()``)."""

    __slots__ = ("status_code", "reason", "headers", "content")

    def __init__(self, status_code: int, reason: str | None, headers: Mapping[str, str], content: bytes):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content

    def json(self) -> object:
        return json.loads(self.content)


def _path(url: str) -> str:
    """The path of a URL without its query string (which may carry ids we need not log)."""
    return url.split("?", 1)[0].split("://", 1)[-1].split("/", 1)[-1]


class MeetingsEndpoint(MeetingComponentV2):
    """zoomus's meeting component over :class:`ZoomTransport` (see the module docstring)."""

    def __init__(self, transport: ZoomTransport):
        super().__init__(base_uri=transport.api_url, config={"version": API_VERSION_2}, transport=transport)

    def _send(self, method: str, endpoint: str, params=None, data=None) -> requests.Response:
        if data is not None and not isinstance(data, (str, bytes)):
            data = json.dumps(data, default=str, separators=(",", ":"))
        return self.transport.send(method, self.url_for(endpoint), params=params, body=data)

    def get_request(self, endpoint, params=None, headers=None):
        return self._send("GET", endpoint, params=params)

    def post_request(self, endpoint, params=None, data=None, headers=None, cookies=None):
        return self._send("POST", endpoint, params=params, data=data)

    def patch_request(self, endpoint, params=None, data=None, headers=None, cookies=None):
        return self._send("PATCH", endpoint, params=params, data=data)

    def delete_request(self, endpoint, params=None, data=None, headers=None, cookies=None):
        return self._send("DELETE", endpoint, params=params, data=data)

    def put_request(self, endpoint, params=None, data=None, headers=None, cookies=None):
        return self._send("PUT", endpoint, params=params, data=data)
