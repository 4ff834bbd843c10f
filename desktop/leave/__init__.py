"""The Leave view: requests, and deciding on them."""
