# "Check a request" at 200% text: the code keyboard keeps its keys (beside the field on a wide
# screen), and a mistyped code's message stays whole.
tap access
tap access:text-200
tap access:close
tap check
screenshot check
type R7QW
tap lookup
expect-text A receipt code has 10 letters and numbers
screenshot check-error
