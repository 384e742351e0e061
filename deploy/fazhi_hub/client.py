"""A small client of the service for code running in a user's server (exchange, tracker).

It authenticates with the server's own JupyterHub token (``$JUPYTERHUB_API_TOKEN``), so
whatever it sends is attributed to the server's owner by the service; the service URL is
``$FAZHI_HUB_URL`` (set by the Hub's spawner configuration).
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

import requests

TIMEOUT = (5, 120)  # connect, read (seconds)


class ServiceError(RuntimeError):
    """The service refused or failed; ``status`` is the HTTP status, the message is Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


class HubClient:
    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        url = url or os.environ.get("FAZHI_HUB_URL", "")
        token = token or os.environ.get("JUPYTERHUB_API_TOKEN", "")
        if not url:
            raise ServiceError(0, "未配置 fazhi 服务地址（FAZHI_HUB_URL）")
        if not token:
            raise ServiceError(
                0, "缺少 JupyterHub 令牌（JUPYTERHUB_API_TOKEN）：请在 JupyterHub 中使用"
            )
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def request(self, method: str, route: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method, self.url + route, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as err:
            raise ServiceError(0, f"无法连接 fazhi 服务 {self.url}：{err}") from err
        if response.status_code >= 400:
            try:
                message = response.json().get("error") or response.text
            except ValueError:
                message = response.text
            raise ServiceError(
                response.status_code, f"fazhi 服务拒绝（{response.status_code}）：{message}"
            )
        return response

    def get_json(self, route: str, **params: str) -> dict[str, Any]:
        return dict(self.request("GET", route, params=params).json())

    def post_json(self, route: str, data: dict[str, Any]) -> dict[str, Any]:
        return dict(self.request("POST", route, data=json.dumps(data)).json())

    def get_bytes(self, route: str) -> tuple[bytes, dict[str, str]]:
        response = self.request("GET", route)
        return response.content, dict(response.headers)

    def post_bytes(self, route: str, data: bytes, **params: str) -> dict[str, Any]:
        headers = {"Content-Type": "application/gzip"}
        return dict(self.request("POST", route, data=data, params=params, headers=headers).json())

    # ---- study events (the multi-user form of the study-time sink) ---------------------

    def heartbeat(self, activity: str, *, stop: bool = False) -> dict[str, Any]:
        """Tell the service the officer is studying ``activity`` now, or (``stop``) has just
        stopped: the notebook went to the back (the server keeps time)."""
        body: dict[str, Any] = {"activity": activity}
        if stop:
            body["stop"] = True
        return self.post_json("api/study/heartbeat", body)
