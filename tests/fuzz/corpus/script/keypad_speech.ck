# A resident who cannot use the touch screen: the keypad alone (Down, Enter, and a keyboard
# for typing), from Welcome to a stored request, with the kiosk speaking each screen, each
# focus move and each error. Nothing is tapped. keypad_speech.check reads what was said.
key down
key-to report
screenshot welcome-focus
key enter
expect-screen services
key-to service:street-sign
key enter
expect-screen form
key-to next
key enter
expect-text Please type the address or nearest corner.
type 45 Oak Avenue
key-to next
key enter
type Bent and faded
key-to next
key enter
key-to option:no
screenshot form-focus
key enter
key-to next
key enter
expect-screen review
key-to submit
key enter
expect-screen done
key help
screenshot done-focus
key volume-up
# The idle warning is heard too.
advance-clock 61
expect-screen idle-warning
