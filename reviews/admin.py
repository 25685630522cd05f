from django.contrib import admin

from reviews.models import MemberUpload, Review, ReviewSection


class ReviewSectionInline(admin.StackedInline):
    model = ReviewSection
    extra = 0
    fields = ["order", "heading", "body"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "status", "is_late", "submitted_at", "updated_at"]
    list_filter = ["status", "is_late", "slot__topic__week__term"]
    search_fields = ["slot__topic__title", "author__name", "author__email", "sections__body"]
    autocomplete_fields = ["author", "slot"]
    inlines = [ReviewSectionInline]


@admin.register(MemberUpload)
class MemberUploadAdmin(admin.ModelAdmin):
    """Who uploaded what, to look at only: rows follow the files (`reviews.uploads`), so adding,
    changing or deleting one by hand would only make the quota and the sweep wrong."""

    list_display = ["name", "owner", "size", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "owner__name", "owner__email"]
    readonly_fields = ["name", "owner", "size", "created_at"]
    list_select_related = ["owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
