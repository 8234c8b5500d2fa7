# Korean: dubeolsik jamo keys composed into syllables (libhangul). The park's name is typed in
# Hangul with a Backspace inside a syllable, and the syllable still composing when Next is tapped
# is kept as it shows; the details use the shift layer's double consonants, and Back keeps the
# composition too. The address step opens on Latin letters. Stored text: keyboard_ko.check.
# Last, an idle wipe in the middle of a syllable leaves nothing for the next resident.
tap lang:ko
tap report
tap group:3
tap service:park-maintenance
expect-screen form
tap key:ㅎ
tap key:ㅏ
tap key:ㄴ
tap key:ㄱ
tap key:ㅏ
tap key:ㅇ
expect-text 한강
tap key:space
tap key:ㄱ
tap key:ㅗ
tap key:ㅇ
tap key:ㅇ
tap key:ㅜ
tap key:ㅓ
tap key:backspace
expect-text 한강 공우
tap key:ㅓ
tap key:ㄴ
expect-text 한강 공원
screenshot composing
tap next
tap option:playground
tap next
tap key:ㄱ
tap key:ㅡ
tap key:ㄴ
tap key:ㅔ
tap key:ㄱ
tap key:ㅏ
tap key:space
tap key:shift
screenshot shift
tap key:ㄲ
tap key:ㅡ
tap key:ㄴ
tap key:ㅎ
tap key:ㅇ
tap key:ㅓ
tap key:ㅈ
tap key:ㅕ
tap key:shift
tap key:ㅆ
tap key:ㅇ
tap key:ㅓ
tap key:ㅇ
tap key:ㅛ
tap back
tap next
expect-text 그네가 끊어졌어요
screenshot details
tap next
tap next
tap key:1
tap key:2
tap key:0
tap key:space
tap key:shift
tap key:m
tap key:a
tap key:i
tap key:n
expect-text 120 Main
screenshot address-latin
tap next
tap next
tap option:no
tap next
expect-screen review
expect-text 한강 공원
screenshot review
tap submit
expect-screen done
tap finish
# A composition is part of what the resident typed: the idle wipe takes it too, and the next
# resident's first jamo starts a new syllable.
tap lang:ko
tap report
tap group:3
tap service:park-maintenance
tap key:ㅎ
tap key:ㅏ
expect-text 하
advance-clock 60
expect-screen idle-warning
advance-clock 20
expect-screen welcome
tap lang:ko
tap report
tap group:3
tap service:park-maintenance
tap key:ㄴ
expect-no-text 하
expect-no-text 한
tap key:ㅏ
expect-text 나
screenshot after-wipe
