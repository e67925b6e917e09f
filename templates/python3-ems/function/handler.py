"""A new faas-ems function. Replace this docstring with why the function exists."""

from faas_ems.runtime.web import Routes

routes = Routes()


@routes.get("/")
def hello(event):
    return {"hello": "faas-ems"}


handle = routes
