"""Application services: the layer between the engine and the web app."""
