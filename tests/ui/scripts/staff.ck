# Maintenance mode: the hidden corner, the PIN (the demo city's is 246810), the lock-out after
# three wrong PINs, every staff page, a test print, out of service as residents see it, and
# the staff session ending by itself.
hold hidden:staff
expect-screen staff-pin
screenshot pin
type 111111
key enter
type 222222
key enter
expect-text Wrong PIN.
type 333333
key enter
expect-text Too many wrong PINs. Try again in 30 s.
screenshot locked
type 246810
key enter
expect-screen staff-pin
advance-clock 31
type 246810
key enter
expect-screen staff
screenshot health
tap staff:queue
expect-text Nothing is parked
screenshot queue
tap staff:printer
tap staff:test-print
wait-sync
expect-text Test receipt sent to the printer
screenshot printer
tap staff:display
tap touch:0
tap touch:31
screenshot display
tap staff:network
screenshot network
tap staff:config
expect-text bundle version 0
# (no screenshot: the page shows the config file's path, a temporary folder in tests)
tap staff:log
expect-text staff signed in to maintenance mode
screenshot log
tap staff:service
type Please use the kiosk by the front door.
tap staff:service-off
screenshot service
tap back
expect-screen welcome
expect-text This kiosk is out of service.
expect-text Please use the kiosk by the front door.
expect-no-text Report a problem
screenshot welcome-out-of-service
key staff
type 246810
key enter
tap staff:service
tap staff:service-on
tap staff:restart
screenshot restart
advance-clock 121
expect-screen welcome
expect-text Report a problem
