import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

from worldcafe import create_app  # noqa: E402

app = create_app()

from worldcafe import offload  # noqa: E402
from worldcafe.realtime import cluster, retention, ticker  # noqa: E402
from worldcafe.realtime.tuning import tune_gc  # noqa: E402
from worldcafe.serving import raise_file_limit  # noqa: E402

# Every client is a descriptor; the WSGI server that imports this module keeps its own connection cap and timeouts.
raise_file_limit()

offload.start(app.config["WORKERS"])
ticker.start(app)
cluster.start(app)
retention.start(app)
tune_gc()
