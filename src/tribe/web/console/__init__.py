"""Brand console (品牌后台): pages for brand staff to run their station, stores and catalogue.

Every view is thin: it resolves the brand from the URL (anonymous → login, other brands → 403), parses a
form from tribe.web.console_forms, calls one service and renders; a DomainError from the service is shown
on the form with its status (422, 409, 413…), and nothing is written.
"""
