package taxonomy

// sampleVocabulary is the invented product the sample taxonomy describes: a B2B SaaS
// workspace with documents, reports and integrations. Unindented lines are areas
// ("Name | description"); indented lines are features ("Name: specific; specific").
// The first eleven areas are the ones every demo should show, so they come first.
const sampleVocabulary = `
Editor | Writing, formatting and structuring documents
  Tables: Formulas; Sorting; Merged cells; Column resizing; Paste from spreadsheets; Row limits; Cell colors
  Formatting: Headings; Bullet lists; Code blocks; Font sizes; Text color; Indentation; Markdown shortcuts
  Images: Resizing; Captions; Alt text; Drag to upload; Cropping; Image quality
  Comments: Mentions; Resolving threads; Comment notifications; Reactions; Inline replies; Comment history
  Version history: Restoring versions; Comparing versions; Named versions; Retention period; Autosave
  Templates: Template gallery; Custom templates; Template variables; Sharing templates; Default template
  Collaboration: Live cursors; Presence indicators; Edit conflicts; Suggesting mode; Locking sections
  Embeds: Video embeds; Figma embeds; Spreadsheet embeds; Embed sizing; Broken embeds
  Spell check: Custom dictionary; Language detection; Grammar suggestions; False positives
  Page layout: Page breaks; Margins; Columns; Headers and footers; Table of contents
Reporting | Dashboards, charts and scheduled reports
  Dashboards: Widget layout; Dashboard filters; Sharing dashboards; Refresh rate; Full-screen mode; Dashboard templates
  Charts: Bar charts; Line charts; Pie charts; Chart colors; Axis labels; Stacked series; Legends
  Custom reports: Report builder; Calculated fields; Grouping; Pivot tables; Saved views; Drill-down
  Scheduled reports: Email delivery; Delivery time; Recipients list; Report attachments; Failed deliveries
  Exports: CSV export; PDF export; Excel export; Export size limits; Export formatting
  Metrics: Metric definitions; Goal tracking; Period comparison; Cohort analysis; Funnel steps
  Date ranges: Custom ranges; Fiscal years; Relative dates; Week start day; Time zones in reports
  Data freshness: Sync delay; Stale numbers; Manual refresh; Last-updated label
  Report sharing: Public links; Embedding reports; Viewer access; Link expiry
Integrations | Connections to other tools
  Slack: Channel notifications; Slash commands; Message unfurling; Workspace install; Thread replies
  Salesforce: Field mapping; Sync errors; Account matching; Opportunity sync; Custom objects; Sync frequency
  HubSpot: Contact sync; Deal stages; Property mapping; Duplicate contacts; Company association
  Jira: Issue linking; Status sync; Project mapping; Create issue from feedback; Two-way comments
  Zapier: Triggers; Actions; Zap templates; Authentication errors; Field availability
  Google Drive: File picker; Shared drives; Import from Docs; Permission sync
  Microsoft Teams: Bot messages; Tab app; Meeting notes; Tenant approval
  Zendesk: Ticket sync; Macros; Agent sidebar; Ticket tags; Satisfaction scores
  Intercom: Conversation import; User attributes; Inbox app; Tag sync
  Webhooks: Payload format; Retries; Signature verification; Event types; Delivery logs
Billing | Plans, invoices and payments
  Invoices: Invoice details; Tax ID on invoices; Invoice emails; Invoice currency; Credit notes; Past invoices
  Payment methods: Credit cards; Bank transfer; Card declines; Updating cards; Purchase orders
  Plans: Plan comparison; Upgrading; Downgrading; Annual billing; Plan limits; Free tier
  Seats: Adding seats; Removing seats; Seat pricing; Inactive seats; True-up
  Discounts: Coupons; Nonprofit pricing; Education pricing; Volume discounts
  Taxes: VAT; Sales tax; Tax exemption; Reverse charge
  Cancellation: Cancel flow; Refunds; Data after cancellation; Pausing a subscription
  Trials: Trial length; Trial extension; Trial limits; Converting trials
Permissions | Roles, access and sharing controls
  Roles: Custom roles; Admin role; Guest role; Role assignment; Role descriptions
  Sharing: Share links; Link permissions; External sharing; Sharing defaults; Revoking access
  Teams: Team creation; Team membership; Nested teams; Team owners
  Access requests: Request flow; Approval notifications; Pending requests; Auto-approval
  Workspace settings: Allowed domains; Member invites; Ownership transfer; Workspace deletion
  Field-level access: Hidden fields; Read-only fields; Sensitive data masking
  Single sign-on (SSO): SAML setup; Okta; Azure AD; Google sign-in; Just-in-time provisioning
  SCIM provisioning: User deprovisioning; Group sync; Attribute mapping; Provisioning errors
Mobile | iOS and Android apps
  iOS app: Crashes on launch; iPad layout; Widgets; Face ID; Share extension
  Android app: Crashes on launch; Tablet layout; Back button; Home screen widgets; Battery usage
  Offline mode: Offline editing; Sync conflicts; Offline storage; Sync indicator
  Push notifications: Notification settings; Missing pushes; Duplicate pushes; Quiet hours
  Mobile editor: Keyboard toolbar; Text selection; Table editing on mobile; Image upload
  App navigation: Tab bar; Search on mobile; Recent items; Gestures
  App store: App reviews; Release notes; Minimum OS version; Beta program
API | Public REST API and developer tools
  Authentication: API keys; OAuth apps; Token expiry; Scopes; Key rotation
  Rate limits: Limit increases; Rate limit headers; Burst limits; 429 errors
  Endpoints: Missing endpoints; Bulk endpoints; Filtering parameters; Pagination; Field selection
  SDKs: JavaScript SDK; Python SDK; Ruby SDK; Go SDK; SDK versioning
  API docs: Code examples; Reference accuracy; Changelog; Postman collection; OpenAPI spec
  Errors: Error codes; Error messages; Validation errors; Timeouts
  Sandbox: Test data; Sandbox reset; Sandbox limits
  Versioning: Deprecations; Breaking changes; Version pinning; Migration guides
Notifications | Email, in-app and digest notifications
  Email notifications: Email frequency; Unsubscribe; Email formatting; Spam folder; Reply by email
  In-app notifications: Notification center; Unread badges; Mark all as read; Grouping
  Digests: Daily digest; Weekly digest; Digest content; Digest timing
  Notification preferences: Per-project settings; Muting; Notification defaults; Mentions only
  Reminders: Due date reminders; Snoozing; Recurring reminders
  Announcements: Product updates; Banner messages; Release announcements
Onboarding | First-run experience and setup
  Signup: Signup form; Email verification; Social signup; Company details; Invite-only signup
  Setup wizard: Wizard steps; Skipping steps; Import during setup; Sample data
  Product tours: Tour content; Dismissing tours; Tour timing; Restarting tours
  Checklists: Checklist items; Progress tracking; Checklist rewards
  Team invites: Invite emails; Invite links; Bulk invites; Pending invites; Resending invites
  Data import: Import from competitors; CSV import; Import mapping; Import errors; Import speed
  Help center: Help articles; Video tutorials; Contextual help; Help search
Search | Finding documents, people and records
  Global search: Result ranking; Search speed; Recent searches; Search shortcuts; Typo tolerance
  Filters: Date filter; Owner filter; Type filter; Saved filters; Filter combinations
  Search results: Result previews; Highlighting; Result counts; Pagination in results
  Indexing: Indexing delay; Attachment indexing; Large documents; Missing results
  Advanced search: Boolean operators; Exact phrases; Search syntax; Field search
  People search: Directory lookup; Search by team; Profile results
Performance | Speed and reliability
  Page load: Dashboard load time; Document load time; First load; Slow navigation
  Large workspaces: Many documents; Many members; Large tables; Deep folder trees
  Uptime: Outages; Status page; Incident communication; Scheduled maintenance
  Sync speed: Real-time updates; Sync lag; Reconnecting
  Browser support: Safari issues; Firefox issues; Edge issues; Old browsers; Memory usage
  Uploads: Upload speed; Upload size limits; Failed uploads; Resumable uploads
Security | Protecting accounts and data
  Two-factor authentication: Authenticator apps; SMS codes; Backup codes; Enforcing 2FA
  Audit log: Audit events; Audit export; Retention; Log search
  Data encryption: Encryption at rest; Customer-managed keys; Encryption in transit
  Compliance: SOC 2 report; GDPR requests; HIPAA; Data residency; DPA
  Sessions: Session timeout; Active sessions; Remote sign-out; Device management
  Passwords: Password rules; Password reset; Password managers
  IP allowlisting: Allowlist setup; VPN access; Blocked logins
Workflows | Automation, approvals and tasks
  Automation rules: Rule triggers; Rule conditions; Rule actions; Rule limits; Rule history
  Approvals: Approval chains; Approver reminders; Conditional approvals; Approval status
  Tasks: Task assignment; Due dates; Subtasks; Task templates; Recurring tasks
  Forms: Form builder; Conditional fields; Form sharing; Form submissions; File upload fields
  Statuses: Custom statuses; Status colors; Status transitions
  Scheduling: Scheduled publishing; Calendar view; Time zones
Admin console | Workspace administration
  User management: Deactivating users; Bulk user edits; User list export; Guest accounts
  Usage analytics: Active users; Feature adoption; Usage export; License usage
  Branding: Custom logo; Custom domain; Brand colors; Email branding
  Data retention: Retention policies; Legal hold; Deleted items; Trash
  Workspace limits: Storage quota; Project limits; Member limits
  Multiple workspaces: Switching workspaces; Cross-workspace search; Workspace merge
Projects | Organizing work into projects and folders
  Folders: Nested folders; Moving items; Folder permissions; Folder colors
  Project views: Board view; List view; Timeline view; Gallery view; View settings
  Favorites: Starring; Favorites order; Pinned items
  Archiving: Archiving projects; Restoring archived items; Archive search
  Project templates: Template library; Duplicating projects; Template updates
  Labels: Label colors; Label management; Filtering by label
Accessibility | Using the product with assistive technology
  Screen readers: VoiceOver; NVDA; JAWS; Missing labels; Reading order
  Keyboard navigation: Focus order; Focus indicators; Keyboard traps; Skip links
  Visual design: Color contrast; High contrast mode; Text scaling; Reduced motion
  Captions: Video captions; Transcript export
Localization | Languages, formats and regions
  Translations: German; French; Spanish; Japanese; Portuguese; Translation errors
  Date formats: Date display; Week numbering; 24-hour time
  Number formats: Decimal separators; Currency symbols; Thousand separators
  Right-to-left: Arabic layout; Hebrew layout; Mixed direction text
  Regional settings: Default language; Per-user language; Region detection
Support | Getting help from the team
  Live chat: Response time; Chat availability; Chat transcripts; Bot answers
  Email support: Ticket updates; Response quality; Escalations
  Account management: Quarterly reviews; Success plans; Account manager changes
  Status updates: Bug fix follow-up; Feature request updates; Roadmap questions
  Community: Community forum; User groups; Webinars
AI assistant | Writing help and summaries
  Summaries: Summary accuracy; Summary length; Meeting summaries; Thread summaries
  Writing help: Tone changes; Translation; Grammar fixes; Continue writing
  Q&A: Answer accuracy; Source citations; Workspace answers; Hallucinations
  AI settings: Turning AI off; Data usage; Model choice; Admin controls
  AI limits: Monthly credits; Response speed; Long documents
`

// sampleAspects fill a feature's third level once its own specifics run out: the
// themes feedback about almost any feature falls into.
var sampleAspects = []string{
	"Error messages", "Loading speed", "Keyboard shortcuts", "Default settings", "Undo and redo",
	"Bulk actions", "Empty states", "Documentation", "Mobile layout", "Dark mode",
	"Discoverability", "Confusing wording", "Regression", "Missing option", "Data accuracy",
	"Copy and paste", "Drag and drop", "Sorting order", "Audit trail", "Limits and quotas",
	"Onboarding hints", "Permissions check", "Visual polish", "Localization gaps", "Settings page",
}
