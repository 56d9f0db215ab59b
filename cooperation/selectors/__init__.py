"""The read rules every path shares (HackSoft's “selectors”, beside the write ``services``).

- ``visibility``: what a visible record may show of the records it refers to;
- ``facets``: which country, organization, person or topic an event is found under (``cooperation.facets``);
- ``involvement``: which country is party to a partnership;
- ``citations``: what counts as a record's citations;
- ``ordering``: the order of every list, nulls last on every database and in every format.

The API's filters, views, CSV and aggregates, the admin's filters and columns, and the publish workflow call
these rather than saying the rule again.
"""
