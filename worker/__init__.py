"""Background work: RQ jobs (``jobs``), the queues the web enqueues into (``queues``), and the processes."""
