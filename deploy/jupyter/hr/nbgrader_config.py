# fazhi 多用户部署：nbgrader 经 fazhi hub 服务交换作业（身份与时间由服务器决定）。
from fazhi.hub.exchange import configure

c = get_config()  # noqa: F821
configure(c)
