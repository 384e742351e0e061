"""fazhi's JupyterHub service: the authenticated exchange and the study-time/exam-event sink.

Identity comes from JupyterHub tokens (``jupyterhub.services.auth.HubAuth``), never from what
a client says; every timestamp that matters (release, fetch = exam start, submission, study
heartbeat) is taken from the service's clock. ``fazhi.hub.exchange`` is the nbgrader exchange
plugin that talks to it (registered through nbgrader's ``ExchangeFactory`` config).
"""

SERVICE_NAME = "fazhi"
