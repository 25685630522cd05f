from django.contrib import admin

from reviews.models import Review, ReviewSection


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
