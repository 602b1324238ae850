package annotations

import "bytes"

// annotationsMember finds the value of the first top-level member whose key
// is written exactly "annotations" in a JSON object text: it returns the
// value's offsets, text[start:end]. ok is false when the text is not an
// object or has no such member, or when the scan meets something a valid
// document cannot hold there. The scan checks no more than it needs to find
// the member: the decodes of the parts (splitDecode) judge the rest.
func annotationsMember(text []byte) (start, end int, ok bool) {
	i := skipSpace(text, 0)
	if i >= len(text) || text[i] != '{' {
		return 0, 0, false
	}
	i++
	for {
		i = skipSpace(text, i)
		if i >= len(text) || text[i] != '"' {
			return 0, 0, false // '}' ends an object without the member
		}
		keyEnd := skipString(text, i)
		if keyEnd < 0 {
			return 0, 0, false
		}
		key := text[i+1 : keyEnd-1]
		i = skipSpace(text, keyEnd)
		if i >= len(text) || text[i] != ':' {
			return 0, 0, false
		}
		i = skipSpace(text, i+1)
		valueEnd := skipValue(text, i)
		if valueEnd < 0 {
			return 0, 0, false
		}
		if string(key) == "annotations" {
			return i, valueEnd, true
		}
		i = skipSpace(text, valueEnd)
		if i >= len(text) || text[i] != ',' {
			return 0, 0, false
		}
		i++
	}
}

// skipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(text []byte, i int) int {
	for i < len(text) {
		switch text[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the offset after the string starting at text[i] (a
// quote), or -1 when it does not end: the first quote after it that an
// even number of backslashes precedes.
func skipString(text []byte, i int) int {
	for j := i + 1; ; {
		k := bytes.IndexByte(text[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		escapes := 0
		for p := q - 1; p > i && text[p] == '\\'; p-- {
			escapes++
		}
		if escapes%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// skipValue returns the offset after the value starting at text[i], or -1
// when it does not end: strings and nested objects and arrays are skipped
// whole, anything else up to the next delimiter.
func skipValue(text []byte, i int) int {
	if i >= len(text) {
		return -1
	}
	switch text[i] {
	case '"':
		return skipString(text, i)
	case '{', '[':
		depth := 0
		for ; i < len(text); i++ {
			switch text[i] {
			case '"':
				if i = skipString(text, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	start := i
	for ; i < len(text); i++ {
		switch text[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if i == start {
				return -1
			}
			return i
		}
	}
	return -1
}
