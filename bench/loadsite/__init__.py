"""What bench/load.py runs gunicorn and locust with: settings and URLs that add the floor page
to the project's own (settings.py, urls.py), and the simulated users (locustfile.py).

Kept out of the product on purpose: the routes' tests walk every route of config.urls, and
the floor page is a yardstick, not a page anyone should reach.
"""
