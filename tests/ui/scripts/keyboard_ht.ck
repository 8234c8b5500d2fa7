# Haitian Creole: the Latin letters with an accents layer of è ò (and à é ê ô). The park's name
# and the problem are typed on the keyboard; the address step opens on Latin letters. Stored
# text: keyboard_ht.check.
tap lang:ht
tap report
tap group:3
tap service:park-maintenance
expect-screen form
tap key:shift
tap key:p
tap key:a
tap key:k
tap key:space
tap key:shift
tap key:l
tap key:e
tap key:k
tap key:accents
tap key:ò
tap key:letters
tap key:l
tap key:space
tap key:l
tap key:a
expect-text Pak Lekòl la
screenshot name
tap next
tap option:playground
tap next
tap key:accents
screenshot accents
tap key:letters
tap key:shift
tap key:p
tap key:accents
tap key:ò
tap key:letters
tap key:t
tap key:space
tap key:t
tap key:w
tap key:a
tap key:l
tap key:accents
tap key:è
tap key:letters
tap key:t
tap key:space
tap key:l
tap key:a
tap key:space
tap key:k
tap key:a
tap key:s
tap key:e
tap key:.
expect-text Pòt twalèt la kase.
tap next
tap next
tap key:1
tap key:2
tap key:space
tap key:shift
tap key:e
tap key:l
tap key:m
expect-text 12 Elm
tap next
tap next
tap option:no
tap next
expect-screen review
expect-text Pak Lekòl la
screenshot review
tap submit
expect-screen done
