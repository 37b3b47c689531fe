"""Domain services: the use cases the web pages, the JSON API and the worker all call.

Each public function is one unit of work (it validates, writes, records the audit event and commits);
rules refuse with :class:`service.domain.errors.DomainError`, whose messages are translated.
"""
