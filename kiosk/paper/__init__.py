"""The pack on paper: restroom notices, wallet cards and the review sheet.

`model` turns a pack into plain data (through the same views the screen uses),
`html` lays it out as HTML and CSS, `render` makes the PDF with WeasyPrint,
`review` draws every screen through the real Kivy UI, and `commands` is
`kiosk print`. Only `render` and `review` import anything heavy, and only when
called.
"""
