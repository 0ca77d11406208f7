"""Where a site's build writes, by default: names the quickest command paths need (a build
handed to the resident builder imports little else)."""

DEFAULT_OUTPUT = "public"
CACHE_DIR = ".transmit-cache"  # in the site folder: renders, records, the manifest
SPARE_DIR = "spare"  # in the cache folder: files a build moved aside, to write over next time
