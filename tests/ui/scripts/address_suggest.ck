# Address suggestions from the city's address list (assets/demo/gazetteer.csv): typing shows
# the best matches as big buttons; tapping one fills the field and stores its lat/long; editing
# the text afterwards drops them again.
tap report
tap group:1
tap service:street-sign
expect-screen form
expect-text Where is the problem?
expect-text Start typing: addresses from the city's list that match will show here.
expect-no-text Tap your address if it is here:
screenshot empty
# two characters are enough for suggestions; house numbers first
type 12
expect-text Tap your address if it is here:
expect-text 12 Calle Ñandú
screenshot typed
type 0 ma
expect-text 120 Main Street
# words in any order, accents not needed
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
type nandu calle 12
expect-text 12 Calle Ñandú
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
# something the list does not have: typed text is still accepted (this city does not require it)
type Elm Street and 3rd Avenue by the school
expect-text No address in the city's list matches.
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
tap key:backspace
# choose from the list
type 120 main
tap suggest:1
expect-text 120 Main Street, 08073
expect-text Chosen from the city's address list
expect-no-text Tap your address if it is here:
screenshot chosen
# an edit drops the choice; choosing again restores it
tap key:backspace
expect-no-text Chosen from the city's address list
expect-text Tap your address if it is here:
tap suggest:1
expect-text Chosen from the city's address list
tap next
# the description is optional
tap next
tap option:no
tap next
expect-screen review
expect-text 120 Main Street, 08073
tap submit
expect-screen done
tap finish
expect-screen welcome
