"""The request handler every endpoint builds on: token identity, role checks, JSON errors."""

from __future__ import annotations

import json
from typing import Any

from jupyterhub.services.auth import HubAuth
from tornado.web import HTTPError, RequestHandler

from .identity import Caller, Directory
from .store import ExchangeStore, NotFound


class Denied(HTTPError):
    """403 with a Chinese reason the client shows to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(403, reason=None, log_message=reason)
        self.message = reason


class BaseHandler(RequestHandler):
    """Authenticates every request by its JupyterHub token before anything else runs.

    Only ``Authorization: token ...`` is accepted (no cookies, so no cross-site requests);
    the token must carry ``access:services!service=<this service>``.
    """

    caller: Caller

    @property
    def hub_auth(self) -> HubAuth:
        return self.settings["hub_auth"]

    @property
    def directory(self) -> Directory:
        return self.settings["directory"]

    @property
    def store(self) -> ExchangeStore:
        return self.settings["store"]

    def check_xsrf_cookie(self) -> None:
        """Token-only API: a browser's cookies never authenticate, so there is nothing to forge."""

    async def prepare(self) -> None:
        token = self.hub_auth.get_token(self, in_cookie=False)
        model = await self.hub_auth.user_for_token(token, sync=False) if token else None
        if not model:
            raise HTTPError(401, log_message="需要 JupyterHub 令牌（请从 JupyterHub 内访问）")
        if not self.hub_auth.check_scopes(self.hub_auth.access_scopes, model):
            raise Denied("该令牌无权访问 fazhi 服务")
        if model.get("kind", "user") != "user":
            raise Denied("只接受 JupyterHub 用户的令牌")
        self.caller = await self.directory.caller(model["name"])

    # ---- role checks ------------------------------------------------------------------

    def require_officer(self) -> str:
        if not self.caller.is_officer:
            raise Denied(f"用户 {self.caller.name} 不是执法队员（或不在人员名册中）")
        assert self.caller.officer_id is not None
        return self.caller.officer_id

    def require_trainer(self, course: str) -> None:
        if not self.caller.trains(course):
            raise Denied(f"用户 {self.caller.name} 不是课程 {course} 的培训人员")

    def require_hr(self) -> None:
        if not self.caller.is_hr:
            raise Denied(f"用户 {self.caller.name} 不属于组织人事（HR）")

    # ---- replies ----------------------------------------------------------------------

    def reply(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    def reply_bytes(self, data: bytes, content_type: str = "application/gzip") -> None:
        self.set_header("Content-Type", content_type)
        self.finish(data)

    def json_body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError as err:
            raise HTTPError(400, log_message=f"请求体不是 JSON：{err}") from err
        if not isinstance(data, dict):
            raise HTTPError(400, log_message="请求体应为 JSON 对象")
        return data

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = self._reason
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, HTTPError) and error.log_message:
            message = error.log_message % error.args if error.args else error.log_message
        elif isinstance(error, NotFound):
            message = "未找到"
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": message, "status": status_code}, ensure_ascii=False))

    def _handle_request_exception(self, e: BaseException) -> None:
        if isinstance(e, NotFound):
            self.send_error(404, exc_info=(type(e), e, e.__traceback__))
        elif isinstance(e, ValueError):
            self.send_error(400, exc_info=(type(e), HTTPError(400, str(e)), e.__traceback__))
        else:
            super()._handle_request_exception(e)
