"""Drives Tessera over HTTPS with the published PyPI client `PySenseSDK` (1.0.7), unchanged.

Run by .ci/clients against a server it starts with a certificate made at test time:
TESSERA_HTTPS_URL names it (REQUESTS_CA_BUNDLE trusts the certificate), TESSERA_USER and
TESSERA_PASSWORD its administrator. Every non-data call of the client is here; the data calls
(elasticubes, data models, connections, sharing a cube) belong to the data side.
"""

import json
import os
import tempfile
import unittest
import uuid

from PySense import PySense, PySenseException, PySenseWidget
from PySense.SisenseRole import Role

HOST = os.environ["TESSERA_HTTPS_URL"]
USER = os.environ["TESSERA_USER"]
PASSWORD = os.environ["TESSERA_PASSWORD"]


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class PySenseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert HOST.startswith("https://"), HOST
        cls.py = PySense.authenticate_by_password(HOST, USER, PASSWORD, "Linux")

    def test_roles(self):
        role_id = self.py.get_role_id(Role.DESIGNER)
        self.assertEqual(len(role_id), 24)
        self.assertEqual(self.py.get_role_by_id(role_id), Role.DESIGNER)

    def test_users(self):
        email = f"{unique('pysense')}@example.com"
        user = self.py.add_user(email, Role.VIEWER, first_name="Grace", last_name="Hopper",
                                password="Pysense-passw0rd")
        self.assertEqual(user.get_email(), email)
        self.assertEqual(user.get_role(), Role.VIEWER)
        self.assertEqual(self.py.get_user_by_email(email).get_id(), user.get_id())
        self.assertEqual(self.py.get_user_by_id(user.get_id()).get_first_name(), "Grace")
        found = self.py.get_users(email=email, role=Role.VIEWER)
        self.assertEqual([u.get_id() for u in found], [user.get_id()])
        user.update(first_name="Amazing", role=Role.DESIGNER)
        again = self.py.get_user_by_id(user.get_id())
        self.assertEqual((again.get_first_name(), again.get_role()), ("Amazing", Role.DESIGNER))
        other = PySense.authenticate_by_password(HOST, email, "Pysense-passw0rd", "Linux")
        self.assertEqual(other.get_user_by_email(email).get_id(), user.get_id())
        self.py.delete_users(user)
        self.assertIsNone(self.py.get_user_by_email(email))

    def test_groups_and_members(self):
        name = unique("pysense-group")
        [group] = self.py.add_groups([name])
        self.assertEqual(group.get_name(), name)
        self.assertEqual(self.py.get_group_by_id(group.get_id()).get_name(), name)
        self.assertEqual([g.get_id() for g in self.py.get_groups_by_name([name])], [group.get_id()])
        self.assertIn(group.get_id(), [g.get_id() for g in self.py.get_groups(name=name)])
        member = self.py.add_user(f"{unique('member')}@example.com", Role.VIEWER)
        group.add_user(member)
        self.assertEqual([u.get_id() for u in group.get_users()], [member.get_id()])
        group.remove_user(member)
        self.assertEqual(group.get_users(), [])
        self.py.delete_users(member)
        self.py.delete_groups(group)
        self.assertEqual(self.py.get_groups_by_name([name]), [])

    def test_folders(self):
        parent = self.py.add_folder(unique("pysense-folder"))
        child = self.py.add_folder(unique("pysense-child"), parent_folder=parent)
        self.assertEqual(self.py.get_folder_by_id(child.get_oid()).get_name(), child.get_name())
        names = [f.get_name() for f in self.py.get_folders()]
        self.assertIn(parent.get_name(), names)
        self.assertIn(child.get_name(), names)
        self.py.delete_folders([child, parent])
        self.assertNotIn(parent.get_name(), [f.get_name() for f in self.py.get_folders()])

    def test_dashboards_widgets_shares_and_owners(self):
        title = unique("pysense-dash")
        dashboard = self.py.create_dashboard(title)
        self.assertEqual(dashboard.get_title(), title)
        oid = dashboard.get_oid()
        self.assertIn(oid, [d.get_oid() for d in self.py.get_dashboards(name=title)])
        self.assertIn(oid, [d.get_oid() for d in self.py.get_dashboards_admin(dashboard_type="owner", name=title)])
        self.assertEqual(self.py.get_dashboard_by_id(oid).get_title(), title)

        # Widgets.
        widget = dashboard.add_widget(PySenseWidget.Widget(self.py, {"title": "Revenue", "type": "indicator"}))
        self.assertEqual([w.get_oid() for w in dashboard.get_widgets()], [widget.get_oid()])
        self.assertEqual(dashboard.get_widget_by_id(widget.get_oid()).get_json()["title"], "Revenue")
        self.assertTrue(dashboard.does_widget_exist(widget.get_oid()))
        dashboard.delete_widget(widget)
        self.assertEqual(dashboard.get_widgets(), [])

        # Shares (the dashboard only: the cube is the data side's).
        viewer = self.py.add_user(f"{unique('viewer')}@example.com", Role.VIEWER)
        dashboard.add_share(viewer, "view", False, share_cube=False)
        shared = [s["shareId"] for s in dashboard.get_shares_json()["sharesTo"]]
        self.assertIn(viewer.get_id(), shared)
        dashboard.remove_shares(viewer)
        self.assertNotIn(viewer.get_id(), [s["shareId"] for s in dashboard.get_shares_json()["sharesTo"]])

        # A folder, a publish, and a new owner.
        folder = self.py.add_folder(unique("pysense-home"))
        dashboard.move_to_folder(folder)
        self.assertEqual(dashboard.get_folder().get_oid(), folder.get_oid())
        dashboard.publish()
        designer = self.py.add_user(f"{unique('owner')}@example.com", Role.DESIGNER)
        dashboard.change_owner(designer)
        self.assertEqual(self.py.get_dashboard_by_id(oid, admin_access=True).get_owner().get_id(), designer.get_id())

        # Export (.dash), import as a copy, and the renderings Tessera refuses clearly.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "one.dash")
            self.py.export_dashboards(self.py.get_dashboard_by_id(oid, admin_access=True), path, admin_access=True)
            with open(path) as f:
                exported = json.load(f)
            self.assertEqual(exported[0]["title"] if isinstance(exported, list) else exported["title"], title)
            imported = self.py.import_dashboards(path, action="duplicate")
            self.assertEqual([d.get_title() for d in imported], [title])
            # The client writes whatever comes back to the file: here the 501 envelope.
            png = os.path.join(tmp, "x.png")
            self.py.get_dashboard_by_id(oid, admin_access=True).export_to_png(png)
            with open(png) as f:
                self.assertEqual(json.load(f)["error"]["status"], 501)

        self.py.delete_dashboards(imported)
        self.py.delete_dashboards(self.py.get_dashboard_by_id(oid, admin_access=True), admin_access=True)
        with self.assertRaises(PySenseException.PySenseException):  # 404, the client raises
            self.py.get_dashboard_by_id(oid, admin_access=True)
        self.py.delete_users([viewer, designer])
        self.py.delete_folders(folder)

    def test_branding_settings_plugins_and_blox(self):
        branding = self.py.get_branding()
        title = unique("Tessera via PySense")
        branding.json = {"title": title}
        self.py.set_branding(branding)
        self.assertEqual(self.py.get_branding().json, {"title": title})

        self.py.set_ui_settings({"showPoweredBy": False})
        self.assertEqual(self.py.get_ui_settings(), {"common": {"showPoweredBy": False}})
        self.assertEqual(self.py.get_plugins(), [])

        action_type = unique("notify")
        action = self.py.create_blox_action(action_type, "console.log(1)", "Notify")
        self.assertEqual(self.py.get_blox_action(action_type).get_type(), action_type)
        self.py.delete_blox_actions(action)
        with self.assertRaises(PySenseException.PySenseException):
            self.py.get_blox_action(action_type)


if __name__ == "__main__":
    unittest.main()
