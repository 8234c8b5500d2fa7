# The keypad-only journey in bn, speech in bn (keypad_bn.check).
key down
key-to lang:bn
key enter
key-to report
screenshot welcome-focus
key enter
expect-screen services
key-to service:street-sign
key enter
expect-screen form
key-to next
key enter
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
