from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and a client-chosen ``?page_size=``, bounded so one request stays cheap."""

    page_size_query_param = "page_size"
    max_page_size = 200
