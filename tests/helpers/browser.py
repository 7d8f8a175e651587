"""What the browser tests share: a phone's screen, this machine, the place menus."""

from playwright.sync_api import expect

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
THIS_MACHINE = {"127.0.0.1", "localhost", "::1"}


def choose_place(page, country, subdivision):
    page.get_by_label("Country").select_option(country)
    # report.js fetches the country's subdivisions into the second menu.
    menu = page.get_by_label("State or region (optional)")
    expect(menu.locator(f"option[value='{subdivision}']")).to_be_attached()
    menu.select_option(subdivision)
