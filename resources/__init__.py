"""Icons, stylesheets and other assets, loaded through importlib.resources."""
