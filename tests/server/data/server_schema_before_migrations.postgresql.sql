-- The server's schema as create_all made it before the server's migrations
-- (commit a7581f3): a database of that code, for the upgrade test.

CREATE TABLE audit_entry (
	id VARCHAR(36) NOT NULL, 
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	actor VARCHAR(100) NOT NULL, 
	action VARCHAR(64) NOT NULL, 
	record_kind VARCHAR(64) NOT NULL, 
	record_id VARCHAR(36) NOT NULL, 
	detail TEXT NOT NULL, 
	CONSTRAINT pk_audit_entry PRIMARY KEY (id)
);
CREATE INDEX ix_audit_entry_at ON audit_entry (at);
CREATE INDEX ix_audit_entry_record_id ON audit_entry (record_id);

CREATE TABLE company (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	CONSTRAINT pk_company PRIMARY KEY (id)
);

CREATE TABLE outbox (
	seq SERIAL NOT NULL, 
	key VARCHAR(36) NOT NULL, 
	collection VARCHAR(32) NOT NULL, 
	record_id VARCHAR(36) NOT NULL, 
	op VARCHAR(8) NOT NULL, 
	fields JSON NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error TEXT, 
	state VARCHAR(16) NOT NULL, 
	next_attempt_at TIMESTAMP WITHOUT TIME ZONE, 
	base_version INTEGER, 
	group_id VARCHAR(36) NOT NULL, 
	CONSTRAINT pk_outbox PRIMARY KEY (seq), 
	CONSTRAINT uq_outbox_key UNIQUE (key)
);
CREATE INDEX ix_outbox_group_id ON outbox (group_id);
CREATE INDEX ix_outbox_record_id ON outbox (record_id);
CREATE INDEX ix_outbox_state_seq ON outbox (state, seq);

CREATE TABLE sync_conflict (
	id VARCHAR(36) NOT NULL, 
	collection VARCHAR(32) NOT NULL, 
	record_id VARCHAR(36) NOT NULL, 
	base JSON, 
	mine JSON, 
	theirs JSON, 
	remote_etag VARCHAR(64), 
	status VARCHAR(16) NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	resolved_at TIMESTAMP WITHOUT TIME ZONE, 
	resolution JSON, 
	CONSTRAINT pk_sync_conflict PRIMARY KEY (id)
);
CREATE INDEX ix_sync_conflict_record_id ON sync_conflict (record_id);
CREATE INDEX ix_sync_conflict_status ON sync_conflict (status);

CREATE TABLE sync_cursor (
	id VARCHAR(36) NOT NULL, 
	server_url VARCHAR(500) NOT NULL, 
	company_id VARCHAR(36) NOT NULL, 
	cursor VARCHAR(64) NOT NULL, 
	last_pulled_at TIMESTAMP WITHOUT TIME ZONE, 
	CONSTRAINT pk_sync_cursor PRIMARY KEY (id), 
	CONSTRAINT uq_sync_cursor_server_url_company_id UNIQUE (server_url, company_id)
);

CREATE TABLE sync_run (
	id VARCHAR(36) NOT NULL, 
	started_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	ended_at TIMESTAMP WITHOUT TIME ZONE, 
	outcome VARCHAR(16) NOT NULL, 
	pushed INTEGER NOT NULL, 
	pulled INTEGER NOT NULL, 
	merged INTEGER NOT NULL, 
	conflicted INTEGER NOT NULL, 
	failed INTEGER NOT NULL, 
	errors JSON NOT NULL, 
	message TEXT NOT NULL, 
	CONSTRAINT pk_sync_run PRIMARY KEY (id)
);
CREATE INDEX ix_sync_run_started_at ON sync_run (started_at);

CREATE TABLE pay_policy (
	id VARCHAR(36) NOT NULL, 
	company_id VARCHAR(36) NOT NULL, 
	grace_minutes INTEGER NOT NULL, 
	daily_overtime_hours NUMERIC(12, 4) NOT NULL, 
	weekly_overtime_hours NUMERIC(12, 4) NOT NULL, 
	overtime_multiplier NUMERIC(12, 4) NOT NULL, 
	late_penalty_per_minute NUMERIC(12, 4) NOT NULL, 
	match_before_minutes INTEGER NOT NULL, 
	match_after_minutes INTEGER NOT NULL, 
	overnight_day VARCHAR(8) NOT NULL, 
	week_start INTEGER NOT NULL, 
	min_rest_hours NUMERIC(12, 4) NOT NULL, 
	max_consecutive_days INTEGER NOT NULL, 
	CONSTRAINT pk_pay_policy PRIMARY KEY (id), 
	CONSTRAINT uq_pay_policy_company_id UNIQUE (company_id), 
	CONSTRAINT fk_pay_policy_company_id_company FOREIGN KEY(company_id) REFERENCES company (id)
);

CREATE TABLE site (
	id VARCHAR(36) NOT NULL, 
	company_id VARCHAR(36) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_site PRIMARY KEY (id), 
	CONSTRAINT fk_site_company_id_company FOREIGN KEY(company_id) REFERENCES company (id)
);
CREATE INDEX ix_site_company_id ON site (company_id);

CREATE TABLE department (
	company_id VARCHAR(36) NOT NULL, 
	site_id VARCHAR(36) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	color VARCHAR(7) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_department PRIMARY KEY (id), 
	CONSTRAINT fk_department_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_department_site_id_site FOREIGN KEY(site_id) REFERENCES site (id)
);
CREATE INDEX ix_department_company_id ON department (company_id);
CREATE INDEX ix_department_site_id ON department (site_id);

CREATE TABLE employee (
	company_id VARCHAR(36) NOT NULL, 
	site_id VARCHAR(36) NOT NULL, 
	department_id VARCHAR(36), 
	first_name VARCHAR(100) NOT NULL, 
	last_name VARCHAR(100) NOT NULL, 
	email VARCHAR(200), 
	code VARCHAR(50), 
	hourly_rate NUMERIC(12, 4) NOT NULL, 
	contract_hours NUMERIC(12, 4) NOT NULL, 
	active BOOLEAN NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_employee PRIMARY KEY (id), 
	CONSTRAINT fk_employee_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_employee_site_id_site FOREIGN KEY(site_id) REFERENCES site (id), 
	CONSTRAINT fk_employee_department_id_department FOREIGN KEY(department_id) REFERENCES department (id)
);
CREATE INDEX ix_employee_code ON employee (code);
CREATE INDEX ix_employee_company_id ON employee (company_id);
CREATE INDEX ix_employee_department_id ON employee (department_id);
CREATE INDEX ix_employee_site_id ON employee (site_id);

CREATE TABLE shift_template (
	company_id VARCHAR(36) NOT NULL, 
	site_id VARCHAR(36) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	description TEXT NOT NULL, 
	start_time VARCHAR(5) NOT NULL, 
	end_time VARCHAR(5) NOT NULL, 
	rrule TEXT NOT NULL, 
	dtstart DATE NOT NULL, 
	department_id VARCHAR(36), 
	location VARCHAR(200) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_shift_template PRIMARY KEY (id), 
	CONSTRAINT fk_shift_template_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_shift_template_site_id_site FOREIGN KEY(site_id) REFERENCES site (id), 
	CONSTRAINT fk_shift_template_department_id_department FOREIGN KEY(department_id) REFERENCES department (id)
);
CREATE INDEX ix_shift_template_company_id ON shift_template (company_id);
CREATE INDEX ix_shift_template_site_id ON shift_template (site_id);

CREATE TABLE attendance_approval (
	company_id VARCHAR(36) NOT NULL, 
	employee_id VARCHAR(36) NOT NULL, 
	work_date DATE NOT NULL, 
	approved_by VARCHAR(100) NOT NULL, 
	approved_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_attendance_approval PRIMARY KEY (id), 
	CONSTRAINT uq_attendance_approval_employee_id_work_date UNIQUE (employee_id, work_date), 
	CONSTRAINT fk_attendance_approval_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_attendance_approval_employee_id_employee FOREIGN KEY(employee_id) REFERENCES employee (id)
);
CREATE INDEX ix_attendance_approval_company_id ON attendance_approval (company_id);

CREATE TABLE attendance_correction (
	company_id VARCHAR(36) NOT NULL, 
	employee_id VARCHAR(36) NOT NULL, 
	work_date DATE NOT NULL, 
	clock_in TIMESTAMP WITHOUT TIME ZONE, 
	clock_out TIMESTAMP WITHOUT TIME ZONE, 
	break_minutes INTEGER, 
	excused BOOLEAN NOT NULL, 
	reason TEXT NOT NULL, 
	author VARCHAR(100) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_attendance_correction PRIMARY KEY (id), 
	CONSTRAINT fk_attendance_correction_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_attendance_correction_employee_id_employee FOREIGN KEY(employee_id) REFERENCES employee (id)
);
CREATE INDEX ix_attendance_correction_company_id ON attendance_correction (company_id);
CREATE INDEX ix_correction_employee_day ON attendance_correction (employee_id, work_date);

CREATE TABLE clock_event (
	company_id VARCHAR(36) NOT NULL, 
	employee_id VARCHAR(36) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	at_utc TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	source VARCHAR(16) NOT NULL, 
	device_id VARCHAR(100), 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_clock_event PRIMARY KEY (id), 
	CONSTRAINT uq_clock_event_employee_id_at_utc_kind UNIQUE (employee_id, at_utc, kind), 
	CONSTRAINT fk_clock_event_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_clock_event_employee_id_employee FOREIGN KEY(employee_id) REFERENCES employee (id)
);
CREATE INDEX ix_clock_event_company_id ON clock_event (company_id);
CREATE INDEX ix_clock_event_employee_at ON clock_event (employee_id, at_utc);

CREATE TABLE leave_request (
	company_id VARCHAR(36) NOT NULL, 
	employee_id VARCHAR(36) NOT NULL, 
	leave_type VARCHAR(16) NOT NULL, 
	start_date DATE NOT NULL, 
	end_date DATE NOT NULL, 
	start_time VARCHAR(5), 
	end_time VARCHAR(5), 
	status VARCHAR(16) NOT NULL, 
	reason TEXT NOT NULL, 
	decided_by VARCHAR(100), 
	decided_at TIMESTAMP WITHOUT TIME ZONE, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_leave_request PRIMARY KEY (id), 
	CONSTRAINT fk_leave_request_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_leave_request_employee_id_employee FOREIGN KEY(employee_id) REFERENCES employee (id)
);
CREATE INDEX ix_leave_employee_range ON leave_request (employee_id, start_date);
CREATE INDEX ix_leave_request_company_id ON leave_request (company_id);

CREATE TABLE shift (
	company_id VARCHAR(36) NOT NULL, 
	site_id VARCHAR(36) NOT NULL, 
	shift_date DATE NOT NULL, 
	start_time VARCHAR(5) NOT NULL, 
	end_time VARCHAR(5) NOT NULL, 
	start_utc TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	end_utc TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	location VARCHAR(200) NOT NULL, 
	department_id VARCHAR(36), 
	status VARCHAR(16) NOT NULL, 
	template_id VARCHAR(36), 
	published BOOLEAN NOT NULL, 
	changed_since_published BOOLEAN DEFAULT false NOT NULL, 
	notes TEXT NOT NULL, 
	flag TEXT NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_shift PRIMARY KEY (id), 
	CONSTRAINT fk_shift_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_shift_site_id_site FOREIGN KEY(site_id) REFERENCES site (id), 
	CONSTRAINT fk_shift_department_id_department FOREIGN KEY(department_id) REFERENCES department (id), 
	CONSTRAINT fk_shift_template_id_shift_template FOREIGN KEY(template_id) REFERENCES shift_template (id)
);
CREATE INDEX ix_shift_company_id ON shift (company_id);
CREATE INDEX ix_shift_department_id ON shift (department_id);
CREATE INDEX ix_shift_shift_date ON shift (shift_date);
CREATE INDEX ix_shift_site_range ON shift (site_id, start_utc);
CREATE INDEX ix_shift_start_utc ON shift (start_utc);

CREATE TABLE leave_shift_link (
	company_id VARCHAR(36) NOT NULL, 
	leave_id VARCHAR(36) NOT NULL, 
	shift_id VARCHAR(36) NOT NULL, 
	note TEXT NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	server_version INTEGER, 
	etag VARCHAR(64), 
	base JSON, 
	dirty BOOLEAN NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_leave_shift_link PRIMARY KEY (id), 
	CONSTRAINT fk_leave_shift_link_company_id_company FOREIGN KEY(company_id) REFERENCES company (id), 
	CONSTRAINT fk_leave_shift_link_leave_id_leave_request FOREIGN KEY(leave_id) REFERENCES leave_request (id), 
	CONSTRAINT fk_leave_shift_link_shift_id_shift FOREIGN KEY(shift_id) REFERENCES shift (id)
);
CREATE INDEX ix_leave_shift_link_company_id ON leave_shift_link (company_id);
CREATE INDEX ix_leave_shift_link_leave_id ON leave_shift_link (leave_id);
CREATE INDEX ix_leave_shift_link_shift_id ON leave_shift_link (shift_id);

CREATE TABLE shift_department (
	shift_id VARCHAR(36) NOT NULL, 
	department_id VARCHAR(36) NOT NULL, 
	CONSTRAINT pk_shift_department PRIMARY KEY (shift_id, department_id), 
	CONSTRAINT fk_shift_department_shift_id_shift FOREIGN KEY(shift_id) REFERENCES shift (id) ON DELETE CASCADE, 
	CONSTRAINT fk_shift_department_department_id_department FOREIGN KEY(department_id) REFERENCES department (id)
);
CREATE INDEX ix_shift_department_department_id ON shift_department (department_id);

CREATE TABLE shift_employee (
	shift_id VARCHAR(36) NOT NULL, 
	employee_id VARCHAR(36) NOT NULL, 
	CONSTRAINT pk_shift_employee PRIMARY KEY (shift_id, employee_id), 
	CONSTRAINT fk_shift_employee_shift_id_shift FOREIGN KEY(shift_id) REFERENCES shift (id) ON DELETE CASCADE, 
	CONSTRAINT fk_shift_employee_employee_id_employee FOREIGN KEY(employee_id) REFERENCES employee (id)
);
CREATE INDEX ix_shift_employee_employee_id ON shift_employee (employee_id);

CREATE TABLE api_key (
	id VARCHAR(36) NOT NULL, 
	company_id VARCHAR(36) NOT NULL, 
	prefix VARCHAR(16) NOT NULL, 
	secret_hash VARCHAR(64) NOT NULL, 
	scopes TEXT NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	rate_limit INTEGER, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	revoked_at TIMESTAMP WITHOUT TIME ZONE, 
	CONSTRAINT pk_api_key PRIMARY KEY (id), 
	CONSTRAINT uq_api_key_secret_hash UNIQUE (secret_hash)
);
CREATE INDEX ix_api_key_company_id ON api_key (company_id);

CREATE TABLE change (
	collection VARCHAR(32) NOT NULL, 
	record_id VARCHAR(36) NOT NULL, 
	company_id VARCHAR(36) NOT NULL, 
	seq BIGINT NOT NULL, 
	version INTEGER NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	record JSON NOT NULL, 
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_change PRIMARY KEY (collection, record_id)
);
CREATE UNIQUE INDEX ix_change_company_seq ON change (company_id, seq);

CREATE TABLE feed_counter (
	company_id VARCHAR(36) NOT NULL, 
	seq BIGINT NOT NULL, 
	purged_through BIGINT NOT NULL, 
	CONSTRAINT pk_feed_counter PRIMARY KEY (company_id)
);

CREATE TABLE idempotency (
	company_id VARCHAR(36) NOT NULL, 
	key VARCHAR(200) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	claimed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	owner VARCHAR(32), 
	status_code INTEGER, 
	headers JSON, 
	body TEXT, 
	CONSTRAINT pk_idempotency PRIMARY KEY (company_id, key)
);
CREATE INDEX ix_idempotency_claimed_at ON idempotency (claimed_at);

CREATE TABLE rate_window (
	bucket VARCHAR(80) NOT NULL, 
	window_start BIGINT NOT NULL, 
	hits INTEGER NOT NULL, 
	CONSTRAINT pk_rate_window PRIMARY KEY (bucket, window_start)
);

CREATE TABLE server_secret (
	name VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_server_secret PRIMARY KEY (name)
);

CREATE TABLE webhook_attempt (
	id VARCHAR(36) NOT NULL, 
	delivery_id VARCHAR(36) NOT NULL, 
	number INTEGER NOT NULL, 
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	status_code INTEGER, 
	error TEXT, 
	duration_ms INTEGER NOT NULL, 
	CONSTRAINT pk_webhook_attempt PRIMARY KEY (id)
);
CREATE INDEX ix_webhook_attempt_delivery_id ON webhook_attempt (delivery_id);

CREATE TABLE webhook_delivery (
	id VARCHAR(36) NOT NULL, 
	company_id VARCHAR(36) NOT NULL, 
	subscription_id VARCHAR(36) NOT NULL, 
	event VARCHAR(64) NOT NULL, 
	body TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	lease_owner VARCHAR(64), 
	lease_until TIMESTAMP WITHOUT TIME ZONE, 
	last_status INTEGER, 
	last_error TEXT, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	delivered_at TIMESTAMP WITHOUT TIME ZONE, 
	CONSTRAINT pk_webhook_delivery PRIMARY KEY (id)
);
CREATE INDEX ix_webhook_delivery_company_id ON webhook_delivery (company_id);
CREATE INDEX ix_webhook_delivery_due ON webhook_delivery (status, next_attempt_at);
CREATE INDEX ix_webhook_delivery_subscription_id ON webhook_delivery (subscription_id);

CREATE TABLE webhook_subscription (
	id VARCHAR(36) NOT NULL, 
	company_id VARCHAR(36) NOT NULL, 
	url TEXT NOT NULL, 
	events TEXT NOT NULL, 
	secret TEXT NOT NULL, 
	description VARCHAR(200) NOT NULL, 
	is_active BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	CONSTRAINT pk_webhook_subscription PRIMARY KEY (id)
);
CREATE INDEX ix_webhook_subscription_company_id ON webhook_subscription (company_id);
