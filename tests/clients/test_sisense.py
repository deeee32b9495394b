"""Drives Tessera with the published PyPI client `sisense` (0.2.2), unchanged.

Run by .ci/clients against a server it starts: TESSERA_URL, TESSERA_USER and TESSERA_PASSWORD
name the server and its administrator.
"""

import json
import os
import tempfile
import unittest
import uuid

from sisense import Sisense
from sisense.admin.auth import Auth

HOST = os.environ["TESSERA_URL"]
USER = os.environ["TESSERA_USER"]
PASSWORD = os.environ["TESSERA_PASSWORD"]


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class SisenseClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Login with user name and password, as the client's Auth does it.
        cls.auth = Auth(HOST, USER, PASSWORD)
        cls.sisense = Sisense(HOST, cls.auth.token)

    @classmethod
    def tearDownClass(cls):
        cls.auth.logout()

    def test_logout_ends_the_token(self):
        auth = Auth(HOST, USER, PASSWORD)
        client = Sisense(HOST, auth.token)
        self.assertTrue(client.user.all(limit=1))
        auth.logout()
        with self.assertRaises(Exception):
            client.user.all(limit=1)

    def test_login_gives_a_working_token(self):
        self.assertTrue(self.auth.is_logged())
        self.assertTrue(self.auth.token.startswith("Bearer "))
        with self.assertRaises(Exception):
            Auth(HOST, USER, "wrong-password")

    def test_user_lifecycle(self):
        users = self.sisense.user
        email = f"{unique('client')}@example.com"
        created = users.create(email, userName=email, firstName="Ada", lastName="Lovelace")
        self.assertEqual(created.email, email)
        found = users.get(email=email)
        self.assertEqual(found._id, created._id)
        self.assertEqual(users.get(oid=created._id).email, email)
        found.update(firstName="Augusta")
        self.assertEqual(found.firstName, "Augusta")
        self.assertEqual(users.get(email=email).firstName, "Augusta")
        self.assertIn(created._id, [u._id for u in users.all(email=email)])
        found.delete()
        self.assertIsNone(users.get(email=email))

    def test_group_lifecycle_and_membership(self):
        groups = self.sisense.group
        name = unique("client group")
        group = groups.create(name)
        found = groups.get(name=name)
        self.assertEqual(found._id, group._id)
        email = f"{unique('member')}@example.com"
        user = self.sisense.user.create(email)
        found.add_user(user)
        self.assertIn(group._id, self.sisense.user.get(email=email).groups)
        found.remove_user(user)
        self.assertNotIn(group._id, self.sisense.user.get(email=email).groups)
        user.delete()
        found.delete()
        self.assertIsNone(groups.get(name=name))

    def test_folder_lifecycle(self):
        folders = self.sisense.folder
        before = len(folders.all())
        parent = folders.create(unique("client folder"))
        child = folders.create(unique("client child"), parent.oid)
        self.assertEqual(child.parentId, parent.oid)
        self.assertEqual(len(folders.all()), before + 2)
        renamed = unique("renamed")
        got = folders.get(child.oid)
        got.update(name=renamed)
        self.assertEqual(folders.get(child.oid).name, renamed)
        self.assertEqual(folders.get(child.oid).parentId, parent.oid)
        got.delete()
        folders.get(parent.oid).delete()
        self.assertEqual(len(folders.all()), before)

    def test_dashboard_lifecycle(self):
        dashboards = self.sisense.dashboard
        title = unique("client dashboard")
        source = {
            "title": title,
            "datasource": {"title": "Sample ECommerce", "address": "LocalHost"},
            "widgets": [{"title": "Revenue", "type": "indicator"}],
        }
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "in.dash")
            with open(path, "w") as f:
                json.dump(source, f)
            # The client creates dashboards by importing a .dash file.
            created = dashboards.do_import(path)
            self.assertEqual(created.title, title)
            self.assertTrue(dashboards.exists(created.oid))
            got = dashboards.get(oid=created.oid)
            self.assertEqual(got.title, title)
            self.assertEqual(dashboards.get(name=title).oid, created.oid)
            self.assertEqual([w.title for w in got.widgets], ["Revenue"])
            got.update(title=title + " v2", desc="patched")
            self.assertEqual(got.title, title + " v2")
            self.assertEqual(dashboards.get(oid=created.oid).desc, "patched")
            self.assertIn("sharesTo", got.get_shares())
            out = os.path.join(tmp, "out.dash")
            got.do_export(out)
            with open(out) as f:
                self.assertEqual(json.load(f)["widgets"][0]["title"], "Revenue")
            got.delete()
            self.assertFalse(dashboards.exists(created.oid))


if __name__ == "__main__":
    unittest.main()
