package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

func (ui *Web) settings(w http.ResponseWriter, r *http.Request) error {
	return seeOther(w, r, "/settings/team")
}

type memberForm struct {
	Email, Name, Role string
	Errors            map[string]string
}

type teamData struct {
	Members []auth.Member
	Roles   []auth.Role
	New     memberForm
	Error   string // from a role change or disable, shown above the list
	MeID    string
}

// renderTeam: GET /settings/team, the members and the form for a new one.
func (ui *Web) renderTeam(w http.ResponseWriter, r *http.Request, status int, d teamData) error {
	members, err := ui.Store.ListMembers(r.Context())
	if err != nil {
		return err
	}
	d.Members, d.Roles, d.MeID = members, auth.Roles, router.From(r).Member.ID
	if d.New.Role == "" {
		d.New.Role = string(auth.RoleMember)
	}
	return ui.render(w, r, status, "settings_team", "Team", "settings", d)
}

func (ui *Web) teamAdd(w http.ResponseWriter, r *http.Request) error {
	if err := readSmallForm(w, r); err != nil {
		return err
	}
	f := memberForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: r.PostFormValue("role"), Errors: map[string]string{}}
	pw := r.PostFormValue("password")
	m := auth.Member{Email: f.Email, Name: f.Name, Role: auth.Role(f.Role)}
	if f.Name == "" {
		f.Errors["name"] = "Name is required, so the team knows who owns what."
	}
	hash, err := auth.HashPassword(pw)
	if errors.Is(err, auth.ErrBadPassword) {
		f.Errors["password"] = "The initial password must be at least 10 characters."
	} else if err != nil {
		return err
	}
	m.PasswordHash = hash
	if len(f.Errors) == 0 {
		err := ui.Store.CreateMember(r.Context(), &m)
		if err == nil {
			ui.Log.Info("team member added", "member", m.ID, "role", m.Role, "by", router.From(r).Member.ID)
		}
		if done, err := ui.saved(w, r, err, "Added "+m.Email+". Give them their initial password in person or over a secure channel.", "/settings/team", besideField(f.Errors)); done {
			return err
		}
	}
	return ui.renderTeam(w, r, http.StatusUnprocessableEntity, teamData{New: f})
}

// teamUpdate changes a member's role or enables/disables them. The last enabled admin
// can be neither demoted nor disabled: nobody could manage the team afterwards.
func (ui *Web) teamUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := readSmallForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	m, err := ui.Store.GetMember(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if role := r.PostFormValue("role"); role != "" {
		if !auth.Role(role).Valid() {
			return ui.renderTeam(w, r, http.StatusUnprocessableEntity, teamData{Error: "Choose admin, member or viewer."})
		}
		m.Role = auth.Role(role)
	}
	switch r.PostFormValue("disabled") {
	case "true":
		m.Disabled = true
	case "false":
		m.Disabled = false
	}
	if err := ui.Store.UpdateMember(ctx, &m); err != nil {
		if errors.Is(err, store.ErrLastAdmin) {
			return ui.renderTeam(w, r, http.StatusConflict, teamData{Error: "You can't demote or disable " + displayName(m) +
				": they are the last admin, and nobody could manage the team afterwards. Make someone else an admin first."})
		}
		return err
	}
	ui.Log.Info("team member changed", "member", m.ID, "role", m.Role, "disabled", m.Disabled, "by", router.From(r).Member.ID)
	state := "enabled"
	if m.Disabled {
		state = "disabled: they are signed out, and the API keys they created stop working until they are enabled again"
	}
	ui.setFlash(w, "Saved: "+displayName(m)+" is a "+string(m.Role)+", "+state+".")
	return seeOther(w, r, "/settings/team")
}

func displayName(m auth.Member) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Email
}
