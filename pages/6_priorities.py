"""Page priorities (being built)."""

from ui import widgets as w
from ui.frame import frame

view = frame("priorities")
view.require_data()
w.page_title(view, "priorities_title")
