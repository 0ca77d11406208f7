"""The dev server: build into a temporary folder, serve it, watch the inputs, rebuild and reload."""
