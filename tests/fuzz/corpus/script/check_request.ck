# Check a request: typos are caught by the check character; a known code shows its state.
tap report
tap group:1
tap service:street-sign
type 9 Pine Road
tap next
tap next
tap option:no
tap next
tap submit
expect-text R7Q-W2B-THPM
tap finish
tap check
expect-screen check
screenshot check-empty
tap lookup
expect-text Type the code from your receipt first.
type r7qw2
tap lookup
expect-text A receipt code has 10 letters and numbers
type bthpn
tap lookup
expect-text This code has a typing mistake.
screenshot check-typo
tap key:backspace
tap key:M
tap lookup
expect-text Saved at this kiosk.
expect-text Damaged Street Sign
screenshot check-found
tap check-again
type R7A-AAA-AAAK
tap lookup
expect-text This kiosk has no request with that code.
