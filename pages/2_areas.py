"""Page areas (being built)."""

from ui import widgets as w
from ui.frame import frame

view = frame("areas")
view.require_data()
w.page_title(view, "areas_title")
