package demo

// Word lists for generated companies, people and notes. Invented, not real customers.
var (
	companyHeads = []string{"North", "Blue", "Bright", "Silver", "Iron", "Cedar", "Harbor", "Summit", "River", "Pine",
		"Atlas", "Nova", "Orbit", "Prism", "Quartz", "Falcon", "Maple", "Granite", "Lumen", "Vertex", "Copper", "Aspen",
		"Beacon", "Cobalt", "Delta", "Ember", "Fjord", "Glacier", "Hollow", "Indigo", "Juniper", "Kestrel", "Lark",
		"Meadow", "Nimbus", "Oak", "Pioneer", "Quill", "Redwood", "Sable", "Tidal", "Umber", "Valley", "Willow", "Zenith"}
	companyTails = []string{"wind", "field", "stone", "gate", "point", "line", "bridge", "works", "light", "path",
		"forge", "craft", "wave", "peak", "grove", "leaf", "mark", "sky", "shore", "spring"}
	companyKinds = []string{"Labs", "Systems", "Health", "Logistics", "Analytics", "Software", "Media", "Foods", "Bank",
		"Robotics", "Energy", "Studios", "Retail", "Insurance", "Travel", "Education", "Security", "Cloud", "Partners", "Group"}
	firstNames = []string{"Ava", "Ben", "Chloe", "Dan", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kira", "Liam",
		"Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe",
		"Amara", "Bruno", "Carmen", "Dmitri", "Esi", "Felix", "Gita", "Hugo", "Ines", "Jae", "Kofi", "Lena", "Mateo", "Nia"}
	lastNames = []string{"Adams", "Berg", "Costa", "Diaz", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
		"Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman",
		"Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Andersson", "Banda", "Chen", "Dubois", "Evans", "Fernandes"}
	titles = []string{"CEO", "CTO", "VP Operations", "Head of Customer Support", "Product Manager", "Engineering Manager",
		"Operations Lead", "Data Analyst", "Office Manager", "Finance Director", "Head of Growth", "IT Administrator",
		"Customer Success Lead", "Marketing Manager", "Team Lead"}
	goals = []string{
		"Cut first-response time on support tickets by half",
		"Replace three spreadsheets with one shared workflow",
		"Onboard 200 field staff before the summer season",
		"Give the board a live revenue dashboard",
		"Automate monthly invoicing for all branches",
		"Reduce churn of their own customers by 20%",
		"Move the whole sales team off email threads",
		"Pass the SOC 2 audit with automated evidence",
		"Launch in two new countries this year",
		"Shorten onboarding of new hires from 3 weeks to 1",
	}
	topics = []string{"the Q3 roadmap", "SSO set-up", "the renewal", "seat expansion", "API rate limits", "the reporting module",
		"data export", "onboarding of the new team", "an invoice question", "the mobile app", "Salesforce sync",
		"a bug in bulk edit", "training for admins", "the pricing change", "usage of dashboards"}
	touchTemplates = map[string][]string{
		"call":    {"Call with %s about %s", "Check-in call with %s: covered %s", "%s called about %s"},
		"email":   {"Emailed %s a follow-up on %s", "%s wrote in about %s", "Sent %s the notes on %s"},
		"meeting": {"QBR with %s: reviewed %s", "Workshop with %s on %s", "On-site meeting with %s about %s"},
		"chat":    {"Chat with %s on %s", "%s asked in chat about %s"},
		"note":    {"Note: %s is worried about %s", "Note: %s is happy with %s", "Internal: prepare for %s with %s"},
	}
)
