# fazhi 多用户部署的 JupyterHub 配置（生产用；本机试用见 jupyterhub_config_local.py）。
#
# Everything site-specific comes from environment variables (docs/deploy.md lists them):
#   FAZHI_WORKSPACE       the shared workspace (trainers' nbgrader course; adopted by fazhi init)
#   FAZHI_DB_URL          fazhi's database, PostgreSQL, e.g. postgresql+psycopg://fazhi@db/fazhi
#   FAZHI_HUB_DATA        the exchange's files (only the fazhi service reads or writes them)
#   FAZHI_HUB_USERS       CSV "username,group" (group: officers | trainers | hr) -> Hub groups
#   JUPYTERHUB_DB_URL     the Hub's own database (PostgreSQL in production)
# Authenticator and spawner are the site's choice (LDAP/OAuth; LocalProcessSpawner with
# system users, or KubeSpawner via Zero to JupyterHub): see docs/deploy.md.
import csv
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821

HERE = Path(__file__).resolve().parent
SERVICE = "fazhi"
SERVICE_PORT = int(os.environ.get("FAZHI_HUB_SERVICE_PORT", "10101"))
ROLE_GROUPS = ("officers", "trainers", "hr")
ROLE_DIRS = {"officers": "officer", "trainers": "trainer", "hr": "hr"}

workspace = Path(os.environ["FAZHI_WORKSPACE"]).resolve()
data_dir = Path(os.environ.get("FAZHI_HUB_DATA", workspace.parent / "fazhi-exchange")).resolve()
db_url = os.environ.get("FAZHI_DB_URL", "")
course_groups = os.environ.get("FAZHI_COURSE_GROUPS", "{}")


def read_users(path: str) -> dict[str, list[str]]:
    """Hub groups from the users file: one "username,group" a line (header optional)."""
    groups: dict[str, list[str]] = {name: [] for name in ROLE_GROUPS}
    if not path:
        return groups
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            if not row or row[0].startswith("#") or row[0] == "username":
                continue
            name, group = row[0].strip().lower(), row[1].strip()
            if group not in groups:
                raise ValueError(f"{path}: 用户 {name} 的组 {group!r} 不是 {ROLE_GROUPS} 之一")
            groups[group].append(name)
    return groups


users = read_users(os.environ.get("FAZHI_HUB_USERS", ""))
c.JupyterHub.load_groups = {name: {"users": members} for name, members in users.items()}
c.Authenticator.allowed_users = {name for members in users.values() for name in members}
c.Authenticator.admin_users = set(filter(None, os.environ.get("FAZHI_HUB_ADMINS", "").split(",")))
c.JupyterHub.db_url = os.environ.get("JUPYTERHUB_DB_URL", "sqlite:///jupyterhub.sqlite")

# ---- the fazhi service: exchange, study-time sink, exam start, reports ----------------------
service_env = {"FAZHI_WORKSPACE": str(workspace), "PATH": os.environ.get("PATH", "")}
if db_url:
    service_env["FAZHI_DB_URL"] = db_url
c.JupyterHub.services = [
    {
        "name": SERVICE,
        # on Kubernetes: FAZHI_HUB_SERVICE_BIND=http://hub:10101 (reachable from the proxy pod)
        "url": os.environ.get("FAZHI_HUB_SERVICE_BIND", f"http://127.0.0.1:{SERVICE_PORT}"),
        "command": [
            sys.executable,
            "-m",
            "fazhi.hub",
            "--workspace",
            str(workspace),
            "--data-dir",
            str(data_dir),
            "--course-groups",
            course_groups,
        ],
        "environment": service_env,
        "display": False,
    }
]
c.JupyterHub.load_roles = [
    # Every fazhi user may call the service; what they may do there is the service's check.
    {
        "name": "fazhi-user",
        "scopes": [f"access:services!service={SERVICE}"],
        "groups": list(ROLE_GROUPS),
    },
    # The service reads users' groups (roles) from the Hub, nothing else.
    {
        "name": "fazhi-service",
        "scopes": ["read:users:name", "read:users:groups"],
        "services": [SERVICE],
    },
]

# ---- single-user servers: the role decides the extensions, the start folder and env --------
c.Spawner.default_url = "/lab"
# The server's own token may call the service (subset of what its owner holds).
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    f"access:services!service={SERVICE}",
]
# What users' servers call (on Kubernetes: http://proxy-public/services/fazhi/).
service_url = os.environ.get(
    "FAZHI_HUB_SERVICE_URL", f"http://127.0.0.1:{SERVICE_PORT}/services/{SERVICE}/"
)


def role_of(groups: set[str]) -> str | None:
    """trainers > hr > officers when a user is in several groups."""
    for name in ("trainers", "hr", "officers"):
        if name in groups:
            return name
    return None


def pre_spawn_hook(spawner) -> None:  # type: ignore[no-untyped-def]
    """Per-role environment: Jupyter config (extensions), start folder, fazhi settings."""
    groups = {group.name for group in spawner.user.groups}
    role = role_of(groups)
    if role is None:
        raise ValueError(f"用户 {spawner.user.name} 不属于 officers/trainers/hr 中任何一组")
    env = {
        "JUPYTER_CONFIG_PATH": str(HERE / "jupyter" / ROLE_DIRS[role]),
        "FAZHI_HUB_URL": service_url,
        "FAZHI_ROLE": role,
        "TZ": "Asia/Shanghai",
    }
    if role in ("trainers", "hr"):
        # Trainers grade and HR reports on the shared workspace; officers never get the
        # database URL (their data reaches the database only through the service).
        env["FAZHI_WORKSPACE"] = str(workspace)
        if db_url:
            env["FAZHI_DB_URL"] = db_url
    if role == "trainers":
        spawner.notebook_dir = str(workspace)  # formgrader works on the course directory
    spawner.environment.update(env)


c.Spawner.pre_spawn_hook = pre_spawn_hook
c.JupyterHub.template_vars = {"announcement_login": "法治城管学院：请用工号登录"}
