"""Certificates (登记证书): numbers, signing, lifecycle, bundles, PDF."""
