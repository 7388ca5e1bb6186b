"""The house style every printed document shares, so that the submission PDF, the board's assurance report and
the feedback letters look like one family and a fix to one reaches all three.

- :mod:`.palette`: the page, the colours and the fonts;
- :mod:`.text`: user text made safe to print, dates and times in words;
- :mod:`.styles`: the shared paragraph styles, the contents headings and the contents page;
- :mod:`.tables`: ruled grids and label / value tables;
- :mod:`.template`: the page furniture (metadata, band, running header and footer, "Page N of M").
"""
