# 本机试用：一台机器上启动整个多用户平台，只监听 127.0.0.1（`make hub`）。
#
# Same configuration as production (jupyterhub_config.py) plus: DummyAuthenticator with one
# shared trial password, SimpleLocalProcessSpawner (every user's server runs as the Unix user
# that started the Hub: no isolation between users' files, see docs/deploy.md), the proxy
# from deploy/node_modules, and all state under FAZHI_HUB_STATE (default ./hub-state).
import os
from pathlib import Path

c = get_config()  # noqa: F821

HERE = Path(__file__).resolve().parent
state = Path(os.environ.get("FAZHI_HUB_STATE", HERE / "hub-state")).resolve()
port = int(os.environ.get("FAZHI_HUB_PORT", "8000"))
os.environ.setdefault("FAZHI_WORKSPACE", str(state / "workspace"))
os.environ.setdefault("FAZHI_HUB_DATA", str(state / "exchange"))
os.environ.setdefault("FAZHI_HUB_USERS", str(HERE / "trial" / "users.csv"))
os.environ.setdefault("FAZHI_HUB_SERVICE_PORT", str(port + 3))
os.environ.setdefault("JUPYTERHUB_DB_URL", f"sqlite:///{state / 'jupyterhub.sqlite'}")

load_subconfig(str(HERE / "jupyterhub_config.py"))  # noqa: F821

c.JupyterHub.bind_url = f"http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ.get("FAZHI_HUB_PASSWORD", "fazhi-trial")

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Pass the environment's PATH so users' servers find this venv's jupyterhub-singleuser.
c.Spawner.env_keep = ["PATH", "PYTHONPATH", "LANG", "LC_ALL", "VIRTUAL_ENV"]
if os.geteuid() == 0:
    # Containers and CI run as root; jupyter-server refuses root unless told. A real
    # deployment never runs users' servers as root (LocalProcessSpawner uses system users).
    c.Spawner.args = ["--allow-root"]
