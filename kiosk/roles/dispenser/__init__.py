"""The ticket dispenser (取号机) screen: `view.DispenserView` and its pages. Its Qt-free logic
(queue loads, the ticket's follow link, sample data) is `kiosk.models.dispenser`."""
