"""The benchmark server's settings: production settings exactly, plus the bench-only URLconf that
adds the bare baseline view. Never used by the product."""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.baseline_urls"
