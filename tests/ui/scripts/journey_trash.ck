# Missed trash: several bins (multivaluelist), a required datetime, a long answer (text),
# no updates wanted, then a change made from the review screen.
tap report
tap group:2
expect-text Missed Trash Pickup
screenshot services-group
tap service:missed-trash
tap next
expect-text Please choose at least one.
tap toggle:trash-cart
tap toggle:yard-waste
tap toggle:yard-waste
tap toggle:extra-bags
expect-text [x]
screenshot form-multi
tap next
tap option:tuesday
tap next
tap next
expect-text Please choose a date.
tap now
tap next
type The truck came by but skipped our whole side of the street.
screenshot form-text
tap next
type 45 Oak Avenue
tap next
tap next
tap option:no
tap next
expect-screen review
expect-text 45 Oak Avenue
expect-text (not given)
expect-no-text ana
tap change:address
expect-screen form
tap key:backspace
tap key:backspace
type ue, Apt 2
tap next
expect-screen review
expect-text 45 Oak Avenue, Apt 2
screenshot review
tap submit
expect-screen done
tap finish
