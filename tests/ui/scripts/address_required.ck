# A city that needs coordinates (address_required.json: location.require_coordinates): an
# address typed but not chosen from the city's list is refused with a clear message; the same
# address chosen from the list goes through with its lat/long.
tap report
tap service:street-sign
expect-screen form
expect-text Type the house number and street, then tap your address in the list.
type 45 oak av
expect-text 45 Oak Avenue
tap next
expect-screen form
expect-text Choose your address from the city's list, so the crew can find it.
screenshot refused
# nothing in the list matches: say what to do
type x
expect-text No address in the city's list matches. Check the house number and street, or ask staff for help.
tap next
expect-text Choose your address from the city's list, so the crew can find it.
screenshot no-match
tap key:backspace
tap suggest:1
expect-text Chosen from the city's address list
expect-no-text Choose your address from the city's list, so the crew can find it.
tap next
expect-text Tell us more about the problem
tap next
tap option:no
tap next
expect-screen review
expect-text 45 Oak Avenue, 08075
tap submit
expect-screen done
tap finish
