"""Drives Tessera with the published PyPI client `pysisense` (2.3.3), unchanged: every non-data
call of its access-management, dashboard, folder, BloX and plugin facades, in the order an
administrator's script would make them.

Run by .ci/clients against a server it starts: TESSERA_URL (http://127.0.0.1:PORT), TESSERA_USER
and TESSERA_PASSWORD name the server and its administrator. pysisense reports a failed call as
``{"ok": False, "error": ...}`` rather than raising, so each answer is checked for that.
"""

import logging
import os
import unittest
import uuid
import warnings
from urllib.parse import urlparse

import requests
from pysisense import AccessManagement, Blox, Dashboard, Folder, Plugins, SisenseClient

URL = urlparse(os.environ["TESSERA_URL"])


def token():
    resp = requests.post(
        f"{URL.scheme}://{URL.netloc}/api/v1/authentication/login",
        data={"username": os.environ["TESSERA_USER"], "password": os.environ["TESSERA_PASSWORD"]},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()["access_token"]


def failed(answer):
    if isinstance(answer, dict):
        return answer.get("ok") is False or "error" in answer
    if isinstance(answer, list) and answer and isinstance(answer[0], dict):
        return answer[0].get("ok") is False
    return False


class PysisenseTest(unittest.TestCase):
    def test_every_non_data_call(self):
        logging.disable(logging.CRITICAL)
        warnings.simplefilter("ignore", DeprecationWarning)
        c = SisenseClient(domain=URL.hostname, token=token(), is_ssl=False, port=URL.port)
        am, db, fo, bx, pl = AccessManagement(c), Dashboard(c), Folder(c), Blox(c), Plugins(c)
        results, calls = [], []

        def run(label, f, *a, **k):
            calls.append(label)
            try:
                answer = f(*a, **k)
            except Exception as e:  # a client crash on our answer is a failure too
                results.append((label, f"{type(e).__name__}: {e}"))
                return None
            if failed(answer):
                results.append((label, str(answer)[:300]))
            return answer

        u = f"pysisense-{uuid.uuid4().hex[:6]}"
        run("get_roles", am.get_roles)
        run("get_tenants", am.get_tenants)
        run("get_my_user", am.get_my_user)
        run("get_users_all", am.get_users_all)
        run("get_users_expanded", am.get_users_expanded)
        run("get_users_with_role_names_and_group_names", am.get_users_with_role_names_and_group_names)
        run("create_groups_bulk", am.create_groups_bulk, [{"name": u+"-g"}])
        run("get_groups", am.get_groups)
        run("get_group", am.get_group, u+"-g")
        run("create_users_bulk", am.create_users_bulk, [{"email": u+"@example.com", "firstName": "S", "roleId": None, "groups": []}])
        run("get_user", am.get_user, u+"@example.com")
        run("get_user_with_role_and_group_names", am.get_user_with_role_and_group_names, u+"@example.com")
        usr = c.get("/api/v1/users", params={"email": u+"@example.com"}).json()
        uid = usr[0]["_id"]
        run("change_user_password", am.change_user_password, uid, "Another-passw0rd")
        run("users_per_group", am.users_per_group, u+"-g")
        run("users_per_group_all", am.users_per_group_all)
        f1 = run("create_folder", fo.create_folder, u+"-folder")
        fid = f1.get("oid") if isinstance(f1, dict) else None
        run("get_folders", fo.get_folders)
        run("get_folders tree", fo.get_folders, "tree")
        run("get_all_folders", fo.get_all_folders)
        run("get_navver", fo.get_navver)
        run("get_folder_id", fo.get_folder_id, fid)
        run("update_folder", fo.update_folder, fid, name=u+"-renamed")
        d = c.post("/api/v1/dashboards", data={"title": u+"-dash", "widgets": [{"title": "W", "type": "indicator"}]}).json()
        did = d["oid"]
        wid = c.get(f"/api/v1/dashboards/{did}/widgets").json()[0]["oid"]
        run("get_all_dashboards", db.get_all_dashboards)
        run("get_dashboards", db.get_dashboards)
        run("get_dashboard_by_id", db.get_dashboard_by_id, did)
        run("get_dashboard_by_name", db.get_dashboard_by_name, u+"-dash")
        run("get_dashboard_widgets", db.get_dashboard_widgets, did)
        run("export_dashboard", db.export_dashboard, did)
        run("rename_dashboard", db.rename_dashboard, did, u+"-dash2")
        run("move_dashboard_to_folder", db.move_dashboard_to_folder, did, fid)
        run("publish_dashboard", db.publish_dashboard, did)
        run("can_be_owned", db.can_be_owned, did)
        run("get_widget_by_id", db.get_widget_by_id, did, wid)
        run("update_widget", db.update_widget, did, wid, {"title": "W2"})
        run("find_widgets_by_type", db.find_widgets_by_type, "indicator")
        run("add_dashboard_script", db.add_dashboard_script, did, "console.log(1)")
        run("get_dashboard_script", db.get_dashboard_script, did)
        run("add_widget_script", db.add_widget_script, did, wid, "console.log(2)")
        run("get_widget_script", db.get_widget_script, did, wid)
        run("get_dashboard_shares_v1", db.get_dashboard_shares_v1, did)
        run("get_dashboard_share", db.get_dashboard_share, u+"-dash2")
        run("add_dashboard_shares", db.add_dashboard_shares, did, [{"name": u+"@example.com", "type": "user", "rule": "view"}])
        run("get_all_dashboard_shares", am.get_all_dashboard_shares)
        run("duplicate_dashboard", db.duplicate_dashboard, u+"-dash2")
        exp = db.export_dashboard(did)
        run("import_dashboards_bulk", db.import_dashboards_bulk, [exp] if isinstance(exp, dict) else exp, "duplicate")
        run("change_dashboard_owner", db.change_dashboard_owner, did, uid)
        run("get_blox_actions", bx.get_blox_actions)
        run("save_blox_action", bx.save_blox_action, {"type": u, "body": "x"})
        run("delete_blox_action", bx.delete_blox_action, u)
        run("get_all_plugins", pl.get_all_plugins)
        run("delete_dashboard", db.delete_dashboard, did, u+"-dash2")
        run("delete_folder (empty)", fo.delete_folder, fo.create_folder(u+"-empty")["oid"])
        run("delete_user", am.delete_user, u+"@example.com")
        gr = c.get("/api/v1/groups", params={"name": u+"-g"}).json()
        run("delete_group", am.delete_group, gr[0]["_id"])

        self.assertEqual(results, [], "calls that failed")
        self.assertGreaterEqual(len(calls), 50)


if __name__ == "__main__":
    unittest.main()
