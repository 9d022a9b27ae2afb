"""API Gateway: REST APIs (v1: regional, edge, private) and HTTP APIs (v2), their integrations and
custom domain names.

Graph: API -routes_to-> each integration target (a Lambda function, an HTTP backend resolved by DNS
name, a VPC link's load balancer listener); a REST integration through a VPC link also
-depends_on-> the link's network load balancers; custom domain (an ``api`` node whose ``dns_name`` is
the domain's regional/edge target, so Route 53 aliases land on it) -routes_to-> the APIs mapped
under it. Every route is needed, so an API serves only when all its integrations do. IAM: every
API Gateway read is the action ``apigateway:GET``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from resilience.model import API, DEPENDS_ON, ROUTES_TO, Inventory

from .cloudfront import DNS_PREFIX
from .common import Scope, edge, inventory, is_arn
from .context import TaskContext
from .pagination import paginate, token_loop

NAME = "apigateway"
CLIENT = "apigateway"
GLOBAL = False
PERMISSIONS = ["apigateway:GET"]
COVERAGE = {
    "apigateway": "GetRestApis",
    "apigateway:resources": "GetResources (methods and integrations of each REST API)",
    "apigateway:vpc-links": "GetVpcLinks (the load balancers behind each REST VPC link)",
    "apigateway:domains": "GetDomainNames + GetBasePathMappings",
    "apigateway:http-apis": "apigatewayv2 GetApis + GetIntegrations",
    "apigateway:http-domains": "apigatewayv2 GetDomainNames + GetApiMappings",
}
_LAMBDA_IN_URI = re.compile(r"/functions/(arn:[^/]+:lambda:[^/]+)/invocations")


# --- get -------------------------------------------------------------------------------------
def get_rest_apis(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "get_rest_apis", "items")


def get_resources(client: Any, api_id: str) -> list[dict[str, Any]]:
    return paginate(client, "get_resources", "items", restApiId=api_id, embed=["methods"])


def get_vpc_links(client: Any) -> dict[str, list[str]]:
    """VPC link id -> the network load balancer ARNs it reaches."""
    return {link["id"]: list(link.get("targetArns") or []) for link in paginate(client, "get_vpc_links", "items")}


def get_domain_names(client: Any) -> list[dict[str, Any]]:
    domains = paginate(client, "get_domain_names", "items")
    for domain in domains:
        domain["basePathMappings"] = paginate(client, "get_base_path_mappings", "items", domainName=domain["domainName"])
    return domains


def get_http_apis(client: Any) -> list[dict[str, Any]]:
    apis = paginate(client, "get_apis", "Items")
    for api in apis:
        api["Integrations"] = paginate(client, "get_integrations", "Items", ApiId=api["ApiId"])
    return apis


def get_http_domain_names(client: Any) -> list[dict[str, Any]]:
    domains = paginate(client, "get_domain_names", "Items")
    for domain in domains:
        domain["ApiMappings"] = token_loop(client, "get_api_mappings", "Items", token_in="NextToken", token_out="NextToken",
                                           DomainName=domain["DomainName"])
    return domains


# --- transform -------------------------------------------------------------------------------
def rest_api_arn(scope: Scope, api_id: str) -> str:
    return f"arn:{scope.partition}:apigateway:{scope.region}::/restapis/{api_id}"


def http_api_arn(scope: Scope, api_id: str) -> str:
    return f"arn:{scope.partition}:apigateway:{scope.region}::/apis/{api_id}"


def domain_arn(scope: Scope, name: str) -> str:
    return f"arn:{scope.partition}:apigateway:{scope.region}::/domainnames/{name}"


def integration_target(uri: str | None, integration_type: str | None) -> str | None:
    """The graph id an integration URI names: a function ARN, a listener ARN, ``dns:<host>``."""
    if not uri:
        return None
    lam = _LAMBDA_IN_URI.search(uri)
    if lam:
        return lam.group(1)
    if is_arn(uri):
        return uri  # HTTP API: a Lambda ARN, or a VPC link's ALB/NLB listener / Cloud Map service
    if str(integration_type or "").upper().startswith("HTTP") or uri.startswith(("http://", "https://")):
        host = urlparse(uri).hostname
        return DNS_PREFIX + host.lower() if host else None
    return None


def transform_rest_apis(apis: list[Mapping[str, Any]], resources: Mapping[str, list[Mapping[str, Any]]],
                        scope: Scope, vpc_links: Mapping[str, list[str]] | None = None) -> Inventory:
    """``resources``: REST API id -> its GetResources items (absent when that read failed);
    ``vpc_links``: link id -> load balancer ARNs (an integration through a link depends on them)."""
    out = inventory()
    source = "apigateway:GetRestApis"
    for api in apis:
        arn = rest_api_arn(scope, api["id"])
        types = list((api.get("endpointConfiguration") or {}).get("types") or [])
        out.resources.append(scope.resource(
            id=arn, kind=API, type="AWS::ApiGateway::RestApi", name=api.get("name") or api["id"], source=source,
            tags=api.get("tags") or {},
            attrs={"endpoint_types": types, "private": "PRIVATE" in types,
                   "dns_name": f"{api['id']}.execute-api.{scope.region}.amazonaws.com",
                   "vpc_endpoints": list((api.get("endpointConfiguration") or {}).get("vpcEndpointIds") or [])}))
        seen: set[str] = set()
        for res in resources.get(api["id"], ()):
            for verb, method in sorted((res.get("resourceMethods") or {}).items()):
                integration = (method or {}).get("methodIntegration") or {}
                target = integration_target(integration.get("uri"), integration.get("type"))
                via = f"{verb} {res.get('path', '')}"
                if integration.get("connectionType") == "VPC_LINK" and integration.get("connectionId"):
                    link_id = integration["connectionId"]
                    for nlb in (vpc_links or {}).get(link_id, ()):
                        if nlb not in seen:
                            seen.add(nlb)
                            out.edges.append(edge(arn, nlb, DEPENDS_ON, "apigateway:GetVpcLinks", via=f"vpc_link:{link_id}"))
                if target and target not in seen:
                    seen.add(target)
                    out.edges.append(edge(arn, target, ROUTES_TO, "apigateway:GetResources", via=via,
                                          integration=integration.get("type")))
    return out


def transform_http_apis(apis: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    source = "apigateway:GetApis"
    for api in apis:
        arn = http_api_arn(scope, api["ApiId"])
        out.resources.append(scope.resource(
            id=arn, kind=API, type="AWS::ApiGatewayV2::Api", name=api.get("Name") or api["ApiId"], source=source,
            tags=api.get("Tags") or {},
            attrs={"protocol": api.get("ProtocolType"), "endpoint_types": ["REGIONAL"],
                   "dns_name": (urlparse(api["ApiEndpoint"]).hostname if api.get("ApiEndpoint") else None)}))
        seen: set[str] = set()
        for integration in api.get("Integrations") or ():
            target = integration_target(integration.get("IntegrationUri"), integration.get("IntegrationType"))
            if target and target not in seen:
                seen.add(target)
                out.edges.append(edge(arn, target, ROUTES_TO, "apigateway:GetIntegrations",
                                      integration=integration.get("IntegrationType"),
                                      vpc_link=integration.get("ConnectionId") if integration.get("ConnectionType") == "VPC_LINK" else None))
    return out


def _domain(scope: Scope, name: str, dns_name: str | None, endpoint: str | None, source: str, targets: list[str],
            type_: str) -> Inventory:
    out = inventory()
    arn = domain_arn(scope, name)
    out.resources.append(scope.resource(
        id=arn, kind=API, type=type_, name=name, source=source,
        attrs={"domain_name": name, "dns_name": dns_name, "endpoint_types": [endpoint] if endpoint else None}))
    out.edges.extend(edge(arn, t, ROUTES_TO, source) for t in dict.fromkeys(targets))
    return out


def transform_domain_names(domains: list[Mapping[str, Any]], scope: Scope) -> Inventory:
    out = inventory()
    for d in domains:
        types = list((d.get("endpointConfiguration") or {}).get("types") or [])
        target = d.get("regionalDomainName") or d.get("distributionDomainName")
        apis = [rest_api_arn(scope, m["restApiId"]) for m in d.get("basePathMappings") or () if m.get("restApiId")]
        out.extend(_domain(scope, d["domainName"], target, types[0] if types else None, "apigateway:GetDomainNames",
                           apis, "AWS::ApiGateway::DomainName"))
    return out


def transform_http_domain_names(domains: list[Mapping[str, Any]], scope: Scope, rest_ids: set[str]) -> Inventory:
    """v2 lists REST mappings too: an ``ApiId`` that is a known REST API maps to the REST ARN."""
    out = inventory()
    for d in domains:
        config = (d.get("DomainNameConfigurations") or [{}])[0]
        apis = [rest_api_arn(scope, m["ApiId"]) if m["ApiId"] in rest_ids else http_api_arn(scope, m["ApiId"])
                for m in d.get("ApiMappings") or () if m.get("ApiId")]
        out.extend(_domain(scope, d["DomainName"], config.get("ApiGatewayDomainName"), config.get("EndpointType"),
                           "apigateway:GetDomainNames", apis, "AWS::ApiGatewayV2::DomainName"))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    apis = get_rest_apis(client)
    resources = {}
    for api in apis:
        got = ctx.read("apigateway:resources", get_resources, client, api["id"], about=api.get("name"))
        if got is not None:
            resources[api["id"]] = got
    links = ctx.read("apigateway:vpc-links", get_vpc_links, client) if apis else {}
    out = transform_rest_apis(apis, resources, ctx.scope, links)
    v2 = ctx.client("apigatewayv2")
    rest_ids = {a["id"] for a in apis}
    http_domains = ctx.gather("apigateway:http-domains", lambda: get_http_domain_names(v2),
                              lambda d: transform_http_domain_names(d, ctx.scope, rest_ids))
    if http_domains is not None:
        out.extend(http_domains)
    else:  # v1 sees the same domains (REST mappings only)
        domains = ctx.gather("apigateway:domains", lambda: get_domain_names(client),
                             lambda d: transform_domain_names(d, ctx.scope))
        if domains is not None:
            out.extend(domains)
    http = ctx.gather("apigateway:http-apis", lambda: get_http_apis(v2), lambda a: transform_http_apis(a, ctx.scope))
    if http is not None:
        out.extend(http)
    return out
