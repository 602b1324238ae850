package timeline

// Colours. Lane boxes and the violation mark are solid fills, so a
// screenshot of the page holds these exact pixels (scripts/timeline-check
// looks for them).
const (
	// LaneColour fills the lane name boxes.
	LaneColour = "#dce9f7"
	// ViolationColour marks violations: the row's diamond and the summary's
	// left border.
	ViolationColour = "#d0021b"
	// BandColour is the background of a violation's row and of the
	// violations summary.
	BandColour = "#fde3e3"
	// MessageColour draws message arrows.
	MessageColour = "#1f5a96"
	// SignalColour draws signal arrows.
	SignalColour = "#b4006e"
	// TimerColour draws timer self-arrows.
	TimerColour = "#7a5c00"
)

// style is the page's stylesheet: system fonts only.
const style = `body{margin:0;font:13px/1.45 "DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;color:#1b1f24;background:#fff}
header{padding:12px 16px 8px}
h1{font-size:17px;margin:0 0 4px}
p{margin:4px 0}
.summary{color:#444}
.no-violation{color:#26722b}
.violations{border-left:6px solid ` + ViolationColour + `;background:` + BandColour + `;padding:4px 12px;margin:8px 0;max-width:1100px}
.violations ul{margin:2px 0 4px;padding-left:18px}
.violations a{color:#a1001a;font-weight:bold}
.legend{margin-top:6px}
.legend text{font-size:12px;fill:#333}
svg text{font-size:12px}
.lanes-head{position:sticky;top:0;background:#fff;border-bottom:1px solid #c9d3de;border-top:1px solid #c9d3de;z-index:1}
.lane rect{fill:` + LaneColour + `;stroke:#3d6a99;stroke-width:1}
.lane text{font-weight:bold;fill:#1d3f63}
.axis text{fill:#555}
.axis .index{font-size:10px;fill:#999}
.axis .time{font-weight:bold;fill:#333}
.zebra{fill:#f5f7f9}
.tick{stroke:#c3ccd6;stroke-width:1}
.lifeline{stroke:#9fb3c8;stroke-width:1;stroke-dasharray:4 4}
.label{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.local circle{fill:#4a5866}
.local text{fill:#1b1f24}
.message .arrow{stroke:` + MessageColour + `;stroke-width:2}
.message text{fill:` + MessageColour + `}
.signal .arrow{stroke:` + SignalColour + `;stroke-width:2}
.signal text{fill:#8c0055;font-weight:bold}
.timer .arrow{fill:none;stroke:` + TimerColour + `;stroke-width:1.5}
.timer text{fill:` + TimerColour + `;font-style:italic}
.crash circle{fill:#e07000}
.crash text{fill:#a34f00;font-weight:bold}
.band{fill:` + BandColour + `}
.violation .mark{fill:` + ViolationColour + `}
.violation text{fill:#a1001a;font-weight:bold}
.violation .label{stroke:` + BandColour + `}
.plain{margin:12px 16px}
.plain pre{font-size:12px}
`

// markers are the arrowheads, one colour each.
const markers = `<defs>
<marker id="head-message" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 0L10 5L0 10z" fill="` + MessageColour + `"/></marker>
<marker id="head-signal" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 0L10 5L0 10z" fill="` + SignalColour + `"/></marker>
<marker id="head-timer" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 0L10 5L0 10z" fill="` + TimerColour + `"/></marker>
</defs>
`

// legend shows each kind of row once.
const legend = `<svg class="legend" xmlns="http://www.w3.org/2000/svg" width="860" height="22" viewBox="0 0 860 22">
<line x1="4" y1="11" x2="40" y2="11" stroke="` + MessageColour + `" stroke-width="2"/><path d="M34 7L42 11L34 15z" fill="` + MessageColour + `"/><text x="48" y="15">message</text>
<line x1="130" y1="11" x2="166" y2="11" stroke="` + SignalColour + `" stroke-width="2"/><path d="M160 7L168 11L160 15z" fill="` + SignalColour + `"/><text x="174" y="15">signal</text>
<path d="M250 5h20v10h-18" fill="none" stroke="` + TimerColour + `" stroke-width="1.5"/><path d="M256 12L250 15L256 18z" fill="` + TimerColour + `"/><text x="278" y="15">timer</text>
<circle cx="350" cy="11" r="4" fill="#4a5866"/><text x="360" y="15">local event</text>
<circle cx="460" cy="11" r="4" fill="#e07000"/><text x="470" y="15">crash</text>
<path d="M545 4l7 7l-7 7l-7 -7z" fill="` + ViolationColour + `"/><text x="558" y="15">invariant violated</text>
</svg>
`
