from django.contrib import admin

from principles.models import Framework, Principle, Prompt


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "doi_url"]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "order"]
    list_filter = ["framework"]
    inlines = [PromptInline]
