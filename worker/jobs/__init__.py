"""RQ job functions, one module per concept: ``meetings`` (Zoom), ``invites`` (mail), ``prompts`` (chat), ``sweep``.

Jobs are thin: they take ids, call a domain service inside the application context, and let errors propagate
so RQ's retries work.
"""
