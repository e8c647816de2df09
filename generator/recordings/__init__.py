"""From a recording to a drafted recap: decoding and the voice mp3 (`audio`), offline Whisper
(`transcribe`), who speaks (`speakers`), what was heard by whom (`heard`), the topics
(`summary`), the draft itself (`draft`) or the recap it joins (`attach`), run as resumable
`jobs` by the `watch`er."""
