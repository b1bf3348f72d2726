"""The pages' part of the middleware: the group tablet's lock lands on the pages' tablet screen."""

from devices.middleware import TabletMiddleware as DevicesTabletMiddleware


class TabletMiddleware(DevicesTabletMiddleware):
    """devices' tablet middleware (recognise the tablet, lock an idle session), landing on `tablet_home`."""

    home_url = "tablet_home"
