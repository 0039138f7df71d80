

app_name = "reflections"

urlpatterns: list = []
