# A city's opening hours and colours from its config: before 10:00 on a Tuesday the welcome
# screen says City Hall is closed (requests are still taken); at 10:00 the message goes by
# itself. The header and the way-forward buttons wear the city's colours.
expect-text City Hall is closed.
screenshot closed
tap report
expect-screen services
tap back
advance-clock 3600
expect-no-text City Hall is closed.
screenshot open
